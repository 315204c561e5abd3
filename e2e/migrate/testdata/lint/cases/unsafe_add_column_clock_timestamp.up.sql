-- strong_migrations: adding a column with a volatile default value
ALTER TABLE users ADD COLUMN touched_at timestamptz DEFAULT clock_timestamp();
