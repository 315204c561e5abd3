ALTER TABLE tags ADD COLUMN slug text;

-- norm:allow blocking-index tags is a small lookup table
CREATE INDEX tags_name_idx ON tags (name);
