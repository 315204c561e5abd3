-- PostgreSQL refuses a new enum value in the transaction that added it
ALTER TYPE mood ADD VALUE 'angry';
UPDATE users SET mood = 'angry' WHERE id = 1;
