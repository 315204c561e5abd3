-- strong_migrations: changing the type of a column; squawk: changing-column-type
ALTER TABLE users ALTER COLUMN age TYPE bigint;
