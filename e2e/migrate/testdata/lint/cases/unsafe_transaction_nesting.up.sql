-- squawk: transaction-nesting; the runner already wraps the file in a
-- transaction, so COMMIT ends it early
BEGIN;
ALTER TABLE users ADD COLUMN nickname text;
COMMIT;
ALTER TABLE orders ADD COLUMN flag boolean;
