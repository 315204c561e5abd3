-- Hand-written corpus for the psql differential test: SQL-standard bodies.
CREATE TABLE corpus_t (id int, label text);
CREATE FUNCTION corpus_f(x int) RETURNS int LANGUAGE sql
BEGIN ATOMIC
  SELECT x + 1;
END;
CREATE OR REPLACE FUNCTION corpus_g(x int) RETURNS text LANGUAGE sql
BEGIN ATOMIC
  SELECT CASE WHEN x > 0 THEN 'positive; sign' ELSE 'other' END;
END;
create or replace procedure corpus_p(x int) language sql
begin atomic
  insert into corpus_t values (x, 'from the procedure; ok');
  insert into corpus_t values ((x + 1), (select 'nested ( paren'));
end;
CALL corpus_p(1);
BEGIN;
SELECT corpus_f(1);
COMMIT;
SELECT corpus_g(2);
