-- norm:no-transaction
-- the second statement can run in a transaction: lint runs it in one of
-- its own and sees the SHARE lock of a plain CREATE INDEX
CREATE INDEX CONCURRENTLY users_email_idx ON users (email);
CREATE INDEX users_name_idx ON users (name);
