CREATE INDEX shapes_id_idx ON shapes (id);
ALTER TABLE shapes ALTER COLUMN id SET NOT NULL;
