-- strong_migrations: renaming a table; squawk: renaming-table
ALTER TABLE orders RENAME TO purchases;
