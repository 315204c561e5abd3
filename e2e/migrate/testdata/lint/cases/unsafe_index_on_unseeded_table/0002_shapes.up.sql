-- lint cannot make a point value: the table stays empty, and the
-- finding output says so
CREATE TABLE shapes (id integer, p point NOT NULL);
