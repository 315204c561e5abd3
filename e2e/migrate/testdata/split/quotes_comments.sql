/* Hand-written corpus for the psql differential test: quoting and
   comments, /* nested */ like this; the ; here ends nothing */
SELECT 'plain; literal holding semicolons' AS corpus_plain;
SELECT 'doubled ''quote; still inside'' here' AS corpus_doubled;
SELECT E'escape \' quote; still the escape literal' AS corpus_escape;
SELECT e'backslash at the end \\' AS corpus_trailing_backslash; SELECT 'next one';
SELECT 'a backslash \ in a standard string' AS corpus_std_backslash;
SELECT 'ends with a backslash \'; SELECT 'separate statement after it';
SELECT U&'unicode d\0061ta with ; semicolon' AS corpus_unicode;
SELECT B'1010', X'1F' AS corpus_bits;
SELECT "quoted ""ident""; with semicolon" FROM (SELECT 1 AS "quoted ""ident""; with semicolon") q;
SELECT 1 -- line comment with ; and ' and $$ in it
  + 1 AS corpus_comment_inside;
/* leading /* nested */ block */ SELECT 'after a nested comment' AS corpus_nested;
DO $outer$
BEGIN
  PERFORM $inner$ nested dollar body; with semicolons $inner$;
  RAISE NOTICE 'inside the DO block: %', $x$ tagged; text $x$;
END
$outer$;
CREATE FUNCTION corpus_dollar(p text) RETURNS text LANGUAGE plpgsql AS $fn$
DECLARE
  v text := 'string inside a dollar body; with a semicolon';
BEGIN
  RETURN v || p || $$ inner plain dollar $$;
END
$fn$;
SELECT corpus_dollar('argument of the function');
PREPARE corpus_p(int) AS SELECT $1 + 1; EXECUTE corpus_p(41);
SELECT a$b FROM (SELECT 1 AS a$b) s;
;;
SELECT 'last statement without a semicolon'
