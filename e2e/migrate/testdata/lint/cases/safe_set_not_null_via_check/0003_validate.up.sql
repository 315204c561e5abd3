ALTER TABLE users VALIDATE CONSTRAINT users_age_not_null;
