ALTER TABLE users ADD COLUMN a integer;
ALTER TABLE users ADD COLUMN b integer;
