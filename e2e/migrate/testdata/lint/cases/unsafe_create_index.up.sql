-- strong_migrations: adding an index non-concurrently; squawk: require-concurrent-index-creation
CREATE INDEX users_email_idx ON users (email);
