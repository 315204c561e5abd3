-- norm:allow table-rewrite audit is written only by a batch job that is paused
ALTER TABLE audit ADD COLUMN seq bigserial;
