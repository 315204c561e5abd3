-- strong_migrations: adding a reference (column and foreign key at once)
ALTER TABLE audit ADD COLUMN user_id bigint REFERENCES users (id);
