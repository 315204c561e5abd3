-- norm:no-transaction
CREATE UNIQUE INDEX CONCURRENTLY tags_pkey ON tags (id);
