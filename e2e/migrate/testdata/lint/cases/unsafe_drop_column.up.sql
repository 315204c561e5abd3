-- strong_migrations: removing a column; squawk: ban-drop-column
ALTER TABLE orders DROP COLUMN note;
