-- squawk: adding-serial-primary-key-field (ADD PRIMARY KEY on a table with rows)
ALTER TABLE events ADD PRIMARY KEY (id);
