ALTER TYPE mood ADD VALUE 'angry';
