-- squawk: adding-serial-primary-key-field / primary key without an index
ALTER TABLE events ADD PRIMARY KEY (id);
