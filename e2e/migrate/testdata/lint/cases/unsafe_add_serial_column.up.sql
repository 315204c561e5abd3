-- strong_migrations: adding an auto-incrementing column
ALTER TABLE audit ADD COLUMN seq bigserial;
