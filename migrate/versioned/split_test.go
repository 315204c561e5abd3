package versioned

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func splitSQLs(t *testing.T, src string) []string {
	t.Helper()
	stmts, err := splitScript(src)
	if err != nil {
		t.Fatalf("splitScript(%q): %v", src, err)
	}
	var out []string
	for _, st := range stmts {
		out = append(out, st.SQL)
	}
	return out
}

func TestFileSplit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"two statements", "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n",
			[]string{"CREATE TABLE a (id int);", "CREATE TABLE b (id int);"}},
		{"no final semicolon", "SELECT 1;\nSELECT 2", []string{"SELECT 1;", "SELECT 2"}},
		{"semicolon in string", "INSERT INTO t VALUES ('a;b');", []string{"INSERT INTO t VALUES ('a;b');"}},
		{"doubled quote", "SELECT 'it''s; fine'; SELECT 2;", []string{"SELECT 'it''s; fine';", "SELECT 2;"}},
		{"E string backslash quote", `SELECT E'a\';b'; SELECT 2;`, []string{`SELECT E'a\';b';`, "SELECT 2;"}},
		{"plain string backslash is literal", `SELECT 'a\'; SELECT 2;`, []string{`SELECT 'a\';`, "SELECT 2;"}},
		{"quoted identifier", `CREATE TABLE "a;b" ("c""; d" int);`, []string{`CREATE TABLE "a;b" ("c""; d" int);`}},
		{"line comment", "SELECT 1; -- a; b\nSELECT 2;", []string{"SELECT 1;", "-- a; b\nSELECT 2;"}},
		{"carriage return ends a line comment", "SELECT 1 -- a\r; SELECT 2;", []string{"SELECT 1 -- a\r;", "SELECT 2;"}},
		{"nested block comment", "SELECT /* a /* b; */ c; */ 1; SELECT 2;", []string{"SELECT /* a /* b; */ c; */ 1;", "SELECT 2;"}},
		{"dollar body", "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; SELECT 2; $$ LANGUAGE sql; SELECT 3;",
			[]string{"CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; SELECT 2; $$ LANGUAGE sql;", "SELECT 3;"}},
		{"tagged dollar body with inner $$", "DO $body$ BEGIN PERFORM $$x;$$; END $body$; SELECT 1;",
			[]string{"DO $body$ BEGIN PERFORM $$x;$$; END $body$;", "SELECT 1;"}},
		{"positional parameter is not a tag", "PREPARE p AS SELECT $1; SELECT 2;", []string{"PREPARE p AS SELECT $1;", "SELECT 2;"}},
		{"dollar inside identifier", "SELECT a$b$c FROM t; SELECT 2;", []string{"SELECT a$b$c FROM t;", "SELECT 2;"}},
		{"begin atomic", "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END; SELECT 3;",
			[]string{"CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END;", "SELECT 3;"}},
		{"or replace procedure", "create or replace procedure p() begin atomic insert into t values (1); end; select 1;",
			[]string{"create or replace procedure p() begin atomic insert into t values (1); end;", "select 1;"}},
		// Only CREATE [OR REPLACE] FUNCTION|PROCEDURE opens BEGIN … END.
		{"view with a column named begin", "CREATE OR REPLACE VIEW v AS SELECT 1 AS begin; SELECT 2;",
			[]string{"CREATE OR REPLACE VIEW v AS SELECT 1 AS begin;", "SELECT 2;"}},
		{"fourth word function is no routine head", "SELECT a AS function, b AS begin FROM t; SELECT 2;",
			[]string{"SELECT a AS function, b AS begin FROM t;", "SELECT 2;"}},
		{"third word replace, fourth function", "SELECT t.replace function, 1 AS begin FROM t; SELECT 2;",
			[]string{"SELECT t.replace function, 1 AS begin FROM t;", "SELECT 2;"}},
		{"case in a RETURN body", "CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql RETURN CASE WHEN x > 0 THEN 1 ELSE 0 END; SELECT 1;",
			[]string{"CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql RETURN CASE WHEN x > 0 THEN 1 ELSE 0 END;", "SELECT 1;"}},
		{"transaction BEGIN is not a body", "BEGIN; SELECT 1; COMMIT;", []string{"BEGIN;", "SELECT 1;", "COMMIT;"}},
		{"comments only", "-- nothing\n/* here */\n", nil},
		{"empty statements", ";;SELECT 1;;", []string{"SELECT 1;"}},
		{"unicode", "INSERT INTO t VALUES ('ü;ß'); SELECT 'ö';", []string{"INSERT INTO t VALUES ('ü;ß');", "SELECT 'ö';"}},
		{"multi-action rule", "CREATE RULE r AS ON UPDATE TO v DO INSTEAD (\n  INSERT INTO a VALUES (new.x);\n  UPDATE b SET y = new.y WHERE id = old.id\n);\nSELECT 1;",
			[]string{"CREATE RULE r AS ON UPDATE TO v DO INSTEAD (\n  INSERT INTO a VALUES (new.x);\n  UPDATE b SET y = new.y WHERE id = old.id\n);", "SELECT 1;"}},
		{"one-line rule", "CREATE OR REPLACE RULE y_rule AS ON INSERT TO y DO INSTEAD (NOTIFY foo; NOTIFY bar); SELECT 2;",
			[]string{"CREATE OR REPLACE RULE y_rule AS ON INSERT TO y DO INSTEAD (NOTIFY foo; NOTIFY bar);", "SELECT 2;"}},
		{"nested parens", "SELECT ((1; (2)); 3); SELECT 4;", []string{"SELECT ((1; (2)); 3);", "SELECT 4;"}},
		{"parens in strings and comments do not count", "SELECT '(' /* ( */ -- (\n; SELECT \"(\", $$($$; SELECT 5;",
			[]string{"SELECT '(' /* ( */ -- (\n;", "SELECT \"(\", $$($$;", "SELECT 5;"}},
		{"stray close paren does not go negative", "SELECT 1); SELECT (2; 3); SELECT 4;",
			[]string{"SELECT 1);", "SELECT (2; 3);", "SELECT 4;"}},
		{"unbalanced open paren runs to the end", "SELECT (1; SELECT 2;", []string{"SELECT (1; SELECT 2;"}},
		{"parens inside begin atomic", "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT (1); SELECT (SELECT 2); END; SELECT 3;",
			[]string{"CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT (1); SELECT (SELECT 2); END;", "SELECT 3;"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := splitSQLs(t, tt.src); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("splitScript(%q)\n got %q\nwant %q", tt.src, got, tt.want)
			}
		})
	}
}

func TestFileSplitLines(t *testing.T) {
	t.Parallel()
	stmts, err := splitScript("-- header\nSELECT 1;\n\n\nSELECT\n2;")
	if err != nil {
		t.Fatal(err)
	}
	if len(stmts) != 2 || stmts[0].Line != 2 || stmts[1].Line != 5 {
		t.Fatalf("lines = %+v, want statements at lines 2 and 5", stmts)
	}
	if stmts[0].Code != "SELECT 1;" || stmts[0].SQL != "-- header\nSELECT 1;" {
		t.Fatalf("statement 0 = %q / code %q", stmts[0].SQL, stmts[0].Code)
	}
	// Code starts at the first token that is neither comment nor ";",
	// punctuation included.
	stmts, err = splitScript("-- union\n(SELECT 1) UNION (SELECT 2);")
	if err != nil || len(stmts) != 1 || stmts[0].Code != "(SELECT 1) UNION (SELECT 2);" {
		t.Fatalf("splitScript = %+v, %v; want code from the first (", stmts, err)
	}
}

func TestFileSplitUnterminated(t *testing.T) {
	t.Parallel()
	tests := []struct {
		src, want string
	}{
		{"SELECT 'abc;", "unterminated string literal at line 1"},
		{"SELECT 1;\nSELECT \"abc", "unterminated quoted identifier at line 2"},
		{"SELECT 1;\n\n/* a /* b */", "unterminated block comment at line 3"},
		{"DO $x$ BEGIN END $y$;", "unterminated dollar-quoted body $x$ at line 1"},
		{`SELECT E'\'`, "unterminated E'' string literal at line 1"},
	}
	for _, tt := range tests {
		_, err := splitScript(tt.src)
		if err == nil || err.Error() != tt.want {
			t.Errorf("splitScript(%q) error = %v, want %q", tt.src, err, tt.want)
		}
	}
}

// FuzzFileSplit checks that splitting never panics, that every statement
// is the exact source text at its offsets, that its code tokens (lexed
// again from the statement alone) are those of the whole file in its
// range, and that what lies between statements is only whitespace,
// comments and semicolons.
func FuzzFileSplit(f *testing.F) {
	for _, s := range []string{
		"SELECT 1; SELECT 2",
		"SELECT 'a;''b'; SELECT E'\\';'",
		"CREATE FUNCTION f() BEGIN ATOMIC SELECT 1; END; SELECT 2;",
		"DO $t$ ; $t$; /* /* ; */ */ -- ;\n SELECT \"x;\"",
		"$1; a$b; $$",
		"SET standard_conforming_strings = off; SELECT 'a\\'; b'; RESET ALL; SELECT 'c\\';",
		"set local standard_conforming_strings to 'of'; select N'\\'', B'\\', u&'\\'; -- norm:x\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		stmts, err := splitScript(src)
		if err != nil {
			if !strings.Contains(err.Error(), "unterminated") {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		all, err := relex(src, stmts)
		if err != nil {
			t.Fatalf("splitScript succeeded but lexing again failed: %v", err)
		}
		prev := 0
		for _, st := range stmts {
			if st.Start < prev || st.End > len(src) || src[st.Start:st.End] != st.SQL {
				t.Fatalf("statement %q not at its offsets [%d,%d)", st.SQL, st.Start, st.End)
			}
			assertCode(t, st, all)
			assertFiller(t, src[prev:st.Start])
			prev = st.End
		}
		assertFiller(t, src[prev:])
	})
}

// relex tokenizes all of src as splitScript did.
func relex(src string, stmts []statement) ([]token, error) {
	r := relexer{lx: lexer{src: src}, stmts: stmts}
	var toks []token
	for {
		tk, ok, err := r.scan()
		if err != nil {
			return nil, err
		}
		if !ok {
			return toks, nil
		}
		toks = append(toks, tk)
	}
}

// assertCode checks st.code() against the code tokens of the whole
// file that lie in the statement's range.
func assertCode(t *testing.T, st statement, all []token) {
	t.Helper()
	var want []string
	for _, tk := range all {
		if tk.start >= st.Start && tk.end <= st.End && tk.kind != tokSpace && tk.kind != tokComment {
			want = append(want, fmt.Sprintf("%d:%s", tk.kind, tk.text))
		}
	}
	var got []string
	for _, tk := range st.code() {
		got = append(got, fmt.Sprintf("%d:%s", tk.kind, tk.text))
	}
	if !reflect.DeepEqual(got, want) || len(got) == 0 || !strings.HasPrefix(st.Code, st.code()[0].text) {
		t.Fatalf("code of %q = %q, want %q", st.SQL, got, want)
	}
}

func assertFiller(t *testing.T, gap string) {
	t.Helper()
	toks, err := lex(gap)
	if err != nil {
		t.Fatalf("gap %q does not lex: %v", gap, err)
	}
	for _, tk := range toks {
		if tk.kind != tokSpace && tk.kind != tokComment && tk.text != ";" {
			t.Fatalf("gap %q between statements holds code %q", gap, tk.text)
		}
	}
}

// TestFileSplitAllocations checks that splitting allocates for the
// result slice only, not per token, statement or byte: a file 100 times
// longer costs only the few more allocations of the growing result.
func TestFileSplitAllocations(t *testing.T) {
	stmt := "INSERT INTO t (a, b) VALUES (1, 'x;y'); -- seed\ncreate function f() returns int language sql begin atomic select 1; end;\n"
	allocs := func(n int) float64 {
		src := strings.Repeat(stmt, n)
		return testing.AllocsPerRun(3, func() {
			if _, err := splitScript(src); err != nil {
				t.Fatal(err)
			}
		})
	}
	small, large := allocs(20), allocs(2000)
	if small > 10 || large > small+25 {
		t.Fatalf("splitScript allocations: %v for 40 statements, %v for 4000; want a handful growing with the result slice only", small, large)
	}
}

func BenchmarkFileSplit(b *testing.B) {
	src := strings.Repeat("INSERT INTO t (a, b) VALUES (1, 'x;y'); -- seed\n", 20000)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := splitScript(src); err != nil {
			b.Fatal(err)
		}
	}
}

// TestFileSplitStandardConformingStrings follows SET/RESET
// standard_conforming_strings through a file the way psql does: while it
// is off, a backslash in a plain '…' string escapes the next character.
func TestFileSplitStandardConformingStrings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"off escapes a quote", `SET standard_conforming_strings = off; SELECT 'a\'; b'; SELECT 2;`,
			[]string{"SET standard_conforming_strings = off;", `SELECT 'a\'; b';`, "SELECT 2;"}},
		{"TO false", `set standard_conforming_strings to false; select 'a\';b';`,
			[]string{"set standard_conforming_strings to false;", `select 'a\';b';`}},
		{"quoted off, SESSION", `SET SESSION standard_conforming_strings TO 'off'; SELECT 'a\';b';`,
			[]string{"SET SESSION standard_conforming_strings TO 'off';", `SELECT 'a\';b';`}},
		{"LOCAL, 0", `SET LOCAL standard_conforming_strings = 0; SELECT 'a\';b';`,
			[]string{"SET LOCAL standard_conforming_strings = 0;", `SELECT 'a\';b';`}},
		{"prefix of off", `SET standard_conforming_strings = "of"; SELECT 'a\';b';`,
			[]string{`SET standard_conforming_strings = "of";`, `SELECT 'a\';b';`}},
		{"on again", `SET standard_conforming_strings = off; SET standard_conforming_strings = on; SELECT 'a\'; SELECT 2;`,
			[]string{"SET standard_conforming_strings = off;", "SET standard_conforming_strings = on;", `SELECT 'a\';`, "SELECT 2;"}},
		{"DEFAULT", `SET standard_conforming_strings = off; SET standard_conforming_strings TO DEFAULT; SELECT 'a\'; SELECT 2;`,
			[]string{"SET standard_conforming_strings = off;", "SET standard_conforming_strings TO DEFAULT;", `SELECT 'a\';`, "SELECT 2;"}},
		{"RESET", `SET standard_conforming_strings = off; RESET standard_conforming_strings; SELECT 'a\'; SELECT 2;`,
			[]string{"SET standard_conforming_strings = off;", "RESET standard_conforming_strings;", `SELECT 'a\';`, "SELECT 2;"}},
		{"RESET ALL", `SET standard_conforming_strings = off; RESET ALL; SELECT 'a\'; SELECT 2;`,
			[]string{"SET standard_conforming_strings = off;", "RESET ALL;", `SELECT 'a\';`, "SELECT 2;"}},
		{"a bad value changes nothing", `SET standard_conforming_strings = maybe; SELECT 'a\'; SELECT 2;`,
			[]string{"SET standard_conforming_strings = maybe;", `SELECT 'a\';`, "SELECT 2;"}},
		{"another setting changes nothing", `SET escape_string_warning = off; SELECT 'a\'; SELECT 2;`,
			[]string{"SET escape_string_warning = off;", `SELECT 'a\';`, "SELECT 2;"}},
		{"comments in the SET", "SET /* c */ standard_conforming_strings -- x\n = off; SELECT 'a\\';b';",
			[]string{"SET /* c */ standard_conforming_strings -- x\n = off;", `SELECT 'a\';b';`}},
		{"bit and unicode strings keep backslashes", `SET standard_conforming_strings = off; SELECT B'1\'; SELECT X'\'; SELECT U&'\'; SELECT 2;`,
			[]string{"SET standard_conforming_strings = off;", `SELECT B'1\';`, `SELECT X'\';`, `SELECT U&'\';`, "SELECT 2;"}},
		{"N string escapes too", `SET standard_conforming_strings = off; SELECT N'a\';b';`,
			[]string{"SET standard_conforming_strings = off;", `SELECT N'a\';b';`}},
		{"inside a statement is not a SET", `SELECT 'SET standard_conforming_strings = off'; SELECT 'a\'; SELECT 2;`,
			[]string{"SELECT 'SET standard_conforming_strings = off';", `SELECT 'a\';`, "SELECT 2;"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := splitSQLs(t, tt.src); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("splitScript(%q)\n got %q\nwant %q", tt.src, got, tt.want)
			}
		})
	}
}

// TestFileSplitStandardConformingStringsCode checks that a statement
// split while standard_conforming_strings is off lexes again the same way
// (the gates and warnings read its tokens).
func TestFileSplitStandardConformingStringsCode(t *testing.T) {
	t.Parallel()
	stmts, err := splitScript(`SET standard_conforming_strings = off; DELETE FROM t WHERE a = 'x\'; DROP TABLE y; --';`)
	if err != nil {
		t.Fatal(err)
	}
	if len(stmts) != 2 {
		t.Fatalf("got %d statements, want 2", len(stmts))
	}
	var kinds []tokKind
	for _, tk := range stmts[1].code() {
		kinds = append(kinds, tk.kind)
	}
	want := []tokKind{tokWord, tokWord, tokWord, tokWord, tokWord, tokPunct, tokString, tokPunct}
	if !reflect.DeepEqual(kinds, want) {
		t.Fatalf("code of %q = %v, want %v", stmts[1].Code, kinds, want)
	}
}

// TestFileParseScriptFollowsConformingStrings checks that the directive
// scan lexes the file as the splitter did: with standard_conforming_strings
// off, the "-- norm:" below is inside a string, not a misplaced directive.
func TestFileParseScriptFollowsConformingStrings(t *testing.T) {
	t.Parallel()
	src := "SET standard_conforming_strings = off;\nSELECT 'a\\'; -- norm:no-transaction';\n"
	sc, err := parseScript("0001_x.up.sql", src)
	if err != nil {
		t.Fatalf("parseScript: %v", err)
	}
	if sc.NoTransaction || len(sc.Statements) != 2 {
		t.Fatalf("script = %+v, want two statements and no directive", sc)
	}
}

// TestConformingStringsForms reads the setting from one statement's
// tokens: only the forms the server accepts give a value, and a boolean
// is read as the server reads it.
func TestConformingStringsForms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		sql    string
		on, ok bool
	}{
		{"RESET standard_conforming_strings", true, true},
		{"RESET ALL;", true, true},
		{"RESET search_path", true, false},
		{"DISCARD ALL", true, true},
		{"DISCARD TEMP", true, false},
		{"DISCARD ALL x", false, false},
		{"RESET standard_conforming_strings TO off", false, false},
		{"SET ALL", false, false},
		{"SET standard_conforming_strings", false, false},
		{"SET standard_conforming_strings , off", false, false},
		{"SET standard_conforming_strings = on", true, true},
		{"SET SESSION standard_conforming_strings TO 1", true, true},
		{"SET LOCAL standard_conforming_strings = 'of'", false, true},
		{"SET standard_conforming_strings = DEFAULT", true, true},
		{"SET standard_conforming_strings = \"yes\"", true, true},
		{"SET standard_conforming_strings = o", false, false},
		{"SET search_path = off", false, false},
	}
	for _, tt := range tests {
		stmts, err := splitScript(tt.sql)
		if err != nil || len(stmts) != 1 {
			t.Fatalf("splitScript(%q) = %d statements, %v", tt.sql, len(stmts), err)
		}
		on, ok := conformingStrings(stmts[0].code())
		if ok != tt.ok || ok && on != tt.on {
			t.Errorf("conformingStrings(%q) = %v, %v; want %v, %v", tt.sql, on, ok, tt.on, tt.ok)
		}
	}
	if _, ok := conformingStrings(nil); ok {
		t.Error("conformingStrings(no tokens) gave a value")
	}
}
