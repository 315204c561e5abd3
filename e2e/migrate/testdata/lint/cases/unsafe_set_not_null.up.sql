-- strong_migrations: setting NOT NULL on an existing column; squawk: adding-not-nullable-field
ALTER TABLE users ALTER COLUMN age SET NOT NULL;
