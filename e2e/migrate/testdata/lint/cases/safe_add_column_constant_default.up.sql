-- squawk: adding-field-with-default (safe on PostgreSQL 11+ with a constant)
ALTER TABLE users ADD COLUMN active boolean NOT NULL DEFAULT true;
