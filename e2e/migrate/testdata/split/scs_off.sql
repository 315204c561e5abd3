-- Hand-written corpus for the psql differential test: sections with
-- standard_conforming_strings off, where a backslash in a plain string
-- escapes the next character.
SELECT 'standard: a backslash \ is just a character' AS corpus_on;
SET standard_conforming_strings = off;
SELECT 'O\'Reilly; corpus secret alpha' AS corpus_off_quote;
SELECT 'two backslashes \\ make one; corpus secret beta' AS corpus_off_double;
SELECT N'national \' string; corpus secret gamma' AS corpus_off_national;
SELECT B'1010' AS corpus_bits, U&'unicode \0041 kept' AS corpus_unicode_off;
SELECT 'first\', ' AS corpus_comma, 'corpus secret delta' AS corpus_second;
SET SESSION standard_conforming_strings TO 'on';
SELECT 'back on: ends here \'; SELECT 'corpus secret epsilon after it';
set standard_conforming_strings to false;
SELECT 'mixed ''doubled'' and \'escaped\' quotes; corpus secret zeta';
RESET standard_conforming_strings;
SELECT 'reset: backslash again ordinary \'; SELECT 2;
SET standard_conforming_strings = 0;
SELECT E'escape string \' as always', 'plain \' now escaped; corpus secret eta';
SET standard_conforming_strings TO DEFAULT;
SELECT 'default: \'; SELECT 'corpus secret theta';
