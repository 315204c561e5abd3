package migrate

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func fileSQLs(t *testing.T, src string) []string {
	t.Helper()
	stmts, err := fileSplit(src)
	if err != nil {
		t.Fatalf("fileSplit(%q): %v", src, err)
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
			if got := fileSQLs(t, tt.src); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("fileSplit(%q)\n got %q\nwant %q", tt.src, got, tt.want)
			}
		})
	}
}

func TestFileSplitLines(t *testing.T) {
	t.Parallel()
	stmts, err := fileSplit("-- header\nSELECT 1;\n\n\nSELECT\n2;")
	if err != nil {
		t.Fatal(err)
	}
	if len(stmts) != 2 || stmts[0].Line != 2 || stmts[1].Line != 5 {
		t.Fatalf("lines = %+v, want statements at lines 2 and 5", stmts)
	}
	if stmts[0].Code != "SELECT 1;" || stmts[0].SQL != "-- header\nSELECT 1;" {
		t.Fatalf("statement 0 = %q / code %q", stmts[0].SQL, stmts[0].Code)
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
		_, err := fileSplit(tt.src)
		if err == nil || err.Error() != tt.want {
			t.Errorf("fileSplit(%q) error = %v, want %q", tt.src, err, tt.want)
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
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		stmts, err := fileSplit(src)
		if err != nil {
			if !strings.Contains(err.Error(), "unterminated") {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		all, err := fileLex(src)
		if err != nil {
			t.Fatalf("fileSplit succeeded but fileLex failed: %v", err)
		}
		prev := 0
		for _, st := range stmts {
			if st.Start < prev || st.End > len(src) || src[st.Start:st.End] != st.SQL {
				t.Fatalf("statement %q not at its offsets [%d,%d)", st.SQL, st.Start, st.End)
			}
			fileAssertCode(t, st, all)
			fileAssertFiller(t, src[prev:st.Start])
			prev = st.End
		}
		fileAssertFiller(t, src[prev:])
	})
}

// fileAssertCode checks st.code() against the code tokens of the whole
// file that lie in the statement's range.
func fileAssertCode(t *testing.T, st fileStmt, all []fileTok) {
	t.Helper()
	var want []string
	for _, tk := range all {
		if tk.start >= st.Start && tk.end <= st.End && tk.kind != fileTokSpace && tk.kind != fileTokComment {
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

func fileAssertFiller(t *testing.T, gap string) {
	t.Helper()
	toks, err := fileLex(gap)
	if err != nil {
		t.Fatalf("gap %q does not lex: %v", gap, err)
	}
	for _, tk := range toks {
		if tk.kind != fileTokSpace && tk.kind != fileTokComment && tk.text != ";" {
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
			if _, err := fileSplit(src); err != nil {
				t.Fatal(err)
			}
		})
	}
	small, large := allocs(20), allocs(2000)
	if small > 10 || large > small+25 {
		t.Fatalf("fileSplit allocations: %v for 40 statements, %v for 4000; want a handful growing with the result slice only", small, large)
	}
}

func BenchmarkFileSplit(b *testing.B) {
	src := strings.Repeat("INSERT INTO t (a, b) VALUES (1, 'x;y'); -- seed\n", 20000)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := fileSplit(src); err != nil {
			b.Fatal(err)
		}
	}
}
