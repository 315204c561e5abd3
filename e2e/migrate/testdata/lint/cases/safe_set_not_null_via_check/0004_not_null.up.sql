-- the validated check proves there is no NULL: SET NOT NULL skips the scan
ALTER TABLE users ALTER COLUMN age SET NOT NULL;
ALTER TABLE users DROP CONSTRAINT users_age_not_null;
