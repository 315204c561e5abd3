-- squawk: adding-required-field
ALTER TABLE users ADD COLUMN code text NOT NULL;
