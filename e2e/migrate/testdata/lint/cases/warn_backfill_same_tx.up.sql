-- strong_migrations: backfilling data in the transaction that added the column
ALTER TABLE users ADD COLUMN score integer;
UPDATE users SET score = 0;
