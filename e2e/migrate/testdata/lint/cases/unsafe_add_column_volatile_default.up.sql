-- strong_migrations: adding a column with a volatile default value; squawk: adding-field-with-default
ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();
