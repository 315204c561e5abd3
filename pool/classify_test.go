package pool

import (
	"strings"
	"testing"
)

func TestClassifySQL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		sql  string
		want class
	}{
		{"select by pk", "SELECT id, email FROM users WHERE id = $1", classRead},
		{"lower case with leading comment", "-- find\n/* a /* nested */ comment */ select 1", classRead},
		{"with cte read", `WITH x AS (SELECT 1) SELECT * FROM x`, classRead},
		{"values", "VALUES (1), (2)", classRead},
		{"table", "TABLE users", classRead},
		{"show", "SHOW search_path", classRead},
		{"insert returning", "INSERT INTO users (email) VALUES ($1) RETURNING id", 0},
		{"update", "UPDATE users SET email = $1 WHERE id = $2", 0},
		{"delete", "DELETE FROM users WHERE id = $1", 0},
		{"merge", "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DO NOTHING", 0},
		{"for update", "SELECT * FROM users WHERE id = $1 FOR UPDATE", 0},
		{"for no key update", "select * from users for no key update skip locked", 0},
		{"for share", "SELECT * FROM users FOR SHARE", 0},
		{"for key share", "SELECT * FROM users FOR KEY SHARE", 0},
		{"data-modifying cte", "WITH d AS (DELETE FROM t RETURNING *) SELECT count(*) FROM d", 0},
		{"select into", "SELECT * INTO newtable FROM users", 0},
		{"nextval", "SELECT nextval('users_id_seq')", 0},
		{"currval", "SELECT currval('users_id_seq')", 0},
		{"xact advisory lock", "SELECT pg_advisory_xact_lock(42)", 0},
		{"keyword in string", "SELECT 'insert into x; update y' AS s", classRead},
		{"keyword in E string", `SELECT E'it\'s delete' AS s`, classRead},
		{"keyword in quoted identifier", `SELECT "update" FROM t`, classRead},
		{"keyword in dollar quote", "SELECT $q$ delete from t $q$", classRead},
		{"keyword in line comment", "SELECT 1 -- for update\n", classRead},
		{"carriage return ends a line comment", "SELECT 1 -- note\rFOR UPDATE", 0},
		{"multi statement all reads", "SELECT 1; SELECT 2;", classRead},
		{"multi statement with write", "SELECT 1; DELETE FROM t", 0},
		{"explain is unsure", "EXPLAIN SELECT 1", 0},
		{"call is unsure", "CALL do_things()", 0},
		{"empty", "  -- nothing\n", 0},
		{"set", "SET search_path = app", classSessionSet},
		{"set session", "SET SESSION statement_timeout = 0", classSessionSet},
		{"set time zone", "set time zone 'UTC'", classSessionSet},
		{"set local", "SET LOCAL search_path = app", 0},
		{"set transaction", "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", 0},
		{"set constraints", "SET CONSTRAINTS ALL DEFERRED", 0},
		{"set role", "SET ROLE app_user", classSessionRole},
		{"set local role", "SET LOCAL ROLE app_user", 0},
		{"set session authorization", "SET SESSION AUTHORIZATION app_user", classSessionRole},
		{"set_config session", "SELECT set_config('app.tenant', $1, false)", classSessionConfig},
		{"set_config param flag", "SELECT set_config('app.tenant', $1, $2)", classSessionConfig},
		{"set_config local", "SELECT set_config('app.tenant', $1, true)", 0},
		{"set_config local nested call", "SELECT set_config('app.t', lower($1), TRUE)", 0},
		{"set_config nested call then false", "SELECT set_config('app.t', lower($1), false)", classSessionConfig},
		// Only the bare word true makes set_config transaction-local: any
		// other expression for the flag is unsure, so session state.
		{"set_config NOT true", "SELECT set_config('app.t', $1, NOT true)", classSessionConfig},
		{"set_config flag behind an operator", "SELECT set_config('app.t', $1, - true)", classSessionConfig},
		{"set_config parenthesised flag", "SELECT set_config('app.t', $1, (true))", classSessionConfig},
		{"stray closing parenthesis invents no session state", "SELECT (1))", classRead},
		{"column named session", "SELECT session FROM logins", classRead},
		{"advisory lock", "SELECT pg_advisory_lock(1)", classSessionLock},
		{"try advisory lock", "SELECT pg_try_advisory_lock_shared(1, 2)", classSessionLock},
		{"listen", "LISTEN jobs", classSessionListen},
		{"listen on a channel named transaction", "LISTEN transaction", classSessionListen},
		{"create temp table", "CREATE TEMP TABLE t (id int)", classSessionTemp},
		{"create local temporary table", "CREATE LOCAL TEMPORARY TABLE t (id int)", classSessionTemp},
		{"select into temp", "SELECT * INTO TEMP t FROM users", classSessionTemp},
		{"table named temp", "CREATE TABLE temp (id int)", 0},
		{"prepare", "PREPARE q AS SELECT 1", classSessionPrepare},
		{"prepare transaction", "PREPARE TRANSACTION 'x'", 0},
		{"reset is harmless", "RESET search_path", 0},
		{"session hidden in second statement", "SELECT 1; SET search_path = x", classSessionSet},
		{"unterminated string", "SELECT 'oops", classRead},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := classifySQL(tt.sql); got != tt.want {
				t.Errorf("classifySQL(%q) = %08b, want %08b", tt.sql, got, tt.want)
			}
		})
	}
}

func TestClassifierCaches(t *testing.T) { // not parallel: AllocsPerRun
	var c classifier
	const q = "SELECT 1"
	if got := c.classify(q); got != classRead {
		t.Fatalf("classify(%q) = %b, want read", q, got)
	}
	if m := c.m.Load(); m == nil || (*m)[q] != classRead {
		t.Fatalf("statement not cached after first classification")
	}
	allocs := testing.AllocsPerRun(100, func() { _ = c.classify(q) })
	if allocs != 0 {
		t.Errorf("cached classify allocates %v times, want 0", allocs)
	}
}

func TestClassifierBounded(t *testing.T) {
	t.Parallel()
	var c classifier
	for i := range maxCachedStatements + 10 {
		c.classify("SELECT " + string(rune('a'+i%26)) + " /*" + string(rune(i)) + "*/")
	}
	if n := len(*c.m.Load()); n > maxCachedStatements {
		t.Errorf("cache holds %d statements, limit %d", n, maxCachedStatements)
	}
	long := "SELECT 1 /*" + string(make([]byte, maxCachedSQL)) + "*/"
	if got := c.classify(long); got != classRead {
		t.Errorf("long statement classified %b, want read", got)
	}
}

func FuzzClassifySQL(f *testing.F) {
	for _, s := range []string{"SELECT 1", "SET x = 1", "select $a$ ' $a$", "E'\\'", "/* /* */", `"a""b"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		cl := classifySQL(sql) // must not panic or loop
		if cl.read() && cl.session() && classifySQL(sql) != cl {
			t.Fatalf("classification not deterministic for %q", sql)
		}
	})
}

func BenchmarkClassify(b *testing.B) {
	const q = "SELECT id, email, created_at FROM users WHERE id = $1 AND deleted_at IS NULL"
	b.Run("scan", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = classifySQL(q)
		}
	})
	b.Run("cached", func(b *testing.B) {
		var c classifier
		b.ReportAllocs()
		for b.Loop() {
			_ = c.classify(q)
		}
	})
}

// TestClassifierCachesUpToMaxCachedSQL: a statement of exactly
// maxCachedSQL bytes is cached, one byte longer is classified but not
// kept.
func TestClassifierCachesUpToMaxCachedSQL(t *testing.T) {
	t.Parallel()
	var c classifier
	pad := func(n int) string {
		const head = "SELECT 1 -- "
		return head + strings.Repeat("x", n-len(head))
	}
	atLimit, over := pad(maxCachedSQL), pad(maxCachedSQL+1)
	for _, q := range []string{atLimit, over} {
		if got := c.classify(q); got != classRead {
			t.Fatalf("classify(%d bytes) = %b, want read", len(q), got)
		}
	}
	m := c.m.Load()
	if m == nil {
		t.Fatal("nothing cached")
	}
	if _, ok := (*m)[atLimit]; !ok {
		t.Errorf("statement of maxCachedSQL (%d) bytes not cached", len(atLimit))
	}
	if _, ok := (*m)[over]; ok {
		t.Errorf("statement of %d bytes cached, limit %d", len(over), maxCachedSQL)
	}
}
