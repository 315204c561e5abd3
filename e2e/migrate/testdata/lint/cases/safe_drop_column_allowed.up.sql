-- norm:allow drop-column the code stopped reading orders.note in release 42
ALTER TABLE orders DROP COLUMN note;
