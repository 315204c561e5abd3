-- ACCESS EXCLUSIVE on users is held while orders is altered
ALTER TABLE users ADD COLUMN flag boolean;
ALTER TABLE orders ADD COLUMN flag boolean;
