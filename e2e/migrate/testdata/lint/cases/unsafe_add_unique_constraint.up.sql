-- strong_migrations: adding a unique constraint; squawk: disallowed-unique-constraint
ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);
