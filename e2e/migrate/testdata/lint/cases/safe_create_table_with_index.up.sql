-- an index on a table the same file creates blocks nobody
CREATE TABLE invoices (id bigint PRIMARY KEY, user_id bigint NOT NULL REFERENCES users (id), amount numeric NOT NULL);
CREATE INDEX invoices_user_idx ON invoices (user_id);
