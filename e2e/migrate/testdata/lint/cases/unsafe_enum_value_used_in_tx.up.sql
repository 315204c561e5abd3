-- squawk: adding an enum value and using it in one transaction
ALTER TYPE mood ADD VALUE 'angry';
UPDATE users SET mood = 'angry' WHERE id = 1;
