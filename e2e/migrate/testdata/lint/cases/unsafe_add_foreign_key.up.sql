-- strong_migrations: adding a foreign key; squawk: adding-foreign-key-constraint
ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);
