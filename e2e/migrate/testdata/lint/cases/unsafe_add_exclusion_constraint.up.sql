-- strong_migrations: adding an exclusion constraint
ALTER TABLE users ADD CONSTRAINT users_email_excl EXCLUDE USING btree (email WITH =);
