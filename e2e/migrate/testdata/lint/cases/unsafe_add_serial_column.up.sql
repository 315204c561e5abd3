-- strong_migrations: adding an auto-incrementing column; squawk: adding-serial-primary-key-field
ALTER TABLE audit ADD COLUMN seq bigserial;
