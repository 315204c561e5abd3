-- now() is stable: evaluated once, no rewrite
ALTER TABLE users ADD COLUMN seen_at timestamptz DEFAULT now();
