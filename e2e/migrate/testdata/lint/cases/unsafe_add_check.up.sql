-- strong_migrations: adding a check constraint; squawk: constraint-missing-not-valid
ALTER TABLE users ADD CONSTRAINT users_age_positive CHECK (age > 0);
