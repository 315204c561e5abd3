-- an allow comment for another code does not accept the finding
-- norm:allow drop-column not the finding this file has
CREATE INDEX tags_name_idx ON tags (name);
