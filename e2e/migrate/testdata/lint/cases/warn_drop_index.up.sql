-- squawk: require-concurrent-index-deletion
DROP INDEX orders_note_idx;
