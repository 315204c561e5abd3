-- norm:no-transaction
DROP INDEX CONCURRENTLY orders_note_idx;
