-- strong_migrations: renaming a column; squawk: renaming-column
ALTER TABLE users RENAME COLUMN name TO full_name;
