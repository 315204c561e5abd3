-- Hand-written corpus for the psql differential test: parentheses.
CREATE TABLE corpus_a (id int PRIMARY KEY, note text);
CREATE TABLE corpus_b (id int, total numeric);
CREATE VIEW corpus_v AS SELECT id, note, 0::numeric AS total FROM corpus_a;

CREATE RULE corpus_r AS ON UPDATE TO corpus_v DO INSTEAD (
  INSERT INTO corpus_b VALUES (new.id, new.total);
  UPDATE corpus_a SET note = new.note WHERE id = old.id
);
CREATE OR REPLACE RULE corpus_n AS ON INSERT TO corpus_b DO ALSO (NOTIFY corpus_one; NOTIFY corpus_two);
CREATE RULE corpus_d AS ON DELETE TO corpus_v DO INSTEAD (
  DELETE FROM corpus_b WHERE id = old.id;
  -- a comment with ( and ; inside the rule
  DELETE FROM corpus_a WHERE id = (SELECT old.id)
);

SELECT ((1 + 2) * (3 + (4)));
SELECT '(' AS open_in_string, ')' AS close_in_string; SELECT "(" FROM (SELECT 1 AS "(") s;
SELECT 1 /* ( not counted */ + 2; SELECT $$ ( $$ AS dollar_paren;
SELECT array[(1), (2)] AS arr, (SELECT count(*) FROM corpus_a) AS n;
