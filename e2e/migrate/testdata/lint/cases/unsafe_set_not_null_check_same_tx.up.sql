-- the NOT VALID check is validated in the same transaction: the
-- ACCESS EXCLUSIVE lock of the ADD is held across the scan
ALTER TABLE users ADD CONSTRAINT users_age_not_null CHECK (age IS NOT NULL) NOT VALID;
ALTER TABLE users VALIDATE CONSTRAINT users_age_not_null;
ALTER TABLE users ALTER COLUMN age SET NOT NULL;
