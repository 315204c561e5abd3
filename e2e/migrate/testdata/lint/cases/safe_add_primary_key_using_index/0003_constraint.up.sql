-- tags.id is NOT NULL already: no scan, only a brief ACCESS EXCLUSIVE
ALTER TABLE tags ADD CONSTRAINT tags_pkey PRIMARY KEY USING INDEX tags_pkey;
