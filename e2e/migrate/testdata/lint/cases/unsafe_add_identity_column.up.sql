-- strong_migrations: adding an auto-incrementing column
ALTER TABLE events ADD COLUMN n bigint GENERATED ALWAYS AS IDENTITY;
