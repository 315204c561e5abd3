package versioned

import (
	"errors"
	"strings"
	"testing"
)

func TestFileGate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		sql, want string
	}{
		{"DROP TABLE users;", "DROP TABLE"},
		{"drop table if exists users cascade;", "DROP TABLE"},
		{"DROP SCHEMA billing CASCADE;", "DROP SCHEMA"},
		{"TRUNCATE users;", "TRUNCATE"},
		{"DELETE FROM users WHERE id > 10;", "DELETE"},
		{"ALTER TABLE users DROP COLUMN email;", "ALTER TABLE … DROP COLUMN"},
		{"ALTER TABLE users DROP email;", "ALTER TABLE … DROP COLUMN"},
		{"ALTER TABLE users DROP IF EXISTS email;", "ALTER TABLE … DROP COLUMN"},
		{`ALTER TABLE users ADD COLUMN a int, DROP "default";`, "ALTER TABLE … DROP COLUMN"},
		{"WITH gone AS (DELETE FROM users RETURNING id) SELECT count(*) FROM gone;", "DELETE"},
		{"/* harmless */ DROP TABLE users;", "DROP TABLE"},
		{"-- just a comment\nTRUNCATE users;", "TRUNCATE"},
		{"DO $$ BEGIN DROP TABLE users; END $$;", "DO block with DROP TABLE"},
		{"DO $body$ BEGIN IF true THEN TRUNCATE users; END IF; END $body$ LANGUAGE plpgsql;", "DO block with TRUNCATE"},
		{"DO 'BEGIN DELETE FROM users; END';", "DO block with DELETE"},
		{"DO $$ BEGIN ALTER TABLE users DROP COLUMN a; END $$;", "DO block with DROP COLUMN"},
		// not destructive
		{"DO $$ BEGIN RAISE NOTICE 'DROP TABLE users'; END $$;", ""},
		{"DO $$ BEGIN -- DROP TABLE users\n CREATE INDEX i ON users (a); END $$;", ""},
		{"DROP INDEX users_email_idx;", ""},
		{"DROP INDEX CONCURRENTLY users_email_idx;", ""},
		{"DROP FUNCTION f();", ""},
		{"ALTER TABLE users DROP CONSTRAINT users_email_key;", ""},
		{"ALTER TABLE users ALTER COLUMN email DROP NOT NULL, ALTER COLUMN a DROP DEFAULT;", ""},
		{"ALTER TABLE users ALTER COLUMN id DROP IDENTITY IF EXISTS;", ""},
		{"ALTER TABLE users RENAME COLUMN a TO b;", ""},
		{"SELECT 'DROP TABLE users';", ""},
		{"-- DROP TABLE users\nCREATE INDEX i ON users (a);", ""},
		{"/* TRUNCATE users; */ SELECT 1;", ""},
		{"INSERT INTO audit (msg) VALUES ('DELETE FROM users');", ""},
		{"CREATE FUNCTION f() RETURNS void AS $$ DELETE FROM users $$ LANGUAGE sql;", ""},
		{`CREATE TABLE "DROP" (id int);`, ""},
		{"UPDATE users SET deleted = true;", ""},
	}
	for _, tt := range tests {
		stmts, err := splitScript(tt.sql)
		if err != nil || len(stmts) != 1 {
			t.Fatalf("splitScript(%q) = %v, %v; want one statement", tt.sql, stmts, err)
		}
		if got := gate(stmts[0]); got != tt.want {
			t.Errorf("gate(%q) = %q, want %q", tt.sql, got, tt.want)
		}
	}
}

func TestGateErrorIs(t *testing.T) {
	t.Parallel()
	err := error(&GateError{Version: 3, File: "0003_x.down.sql", Line: 2, Statement: "DROP TABLE x;", Reason: "DROP TABLE"})
	if !errors.Is(err, ErrGateRefused) {
		t.Fatal("GateError is not ErrGateRefused")
	}
	want := "migrate: down of version 3 refused: DROP TABLE at 0003_x.down.sql:2 (DROP TABLE x;); set AllowDestructiveDown (--allow-destructive-down) to run it"
	if err.Error() != want {
		t.Fatalf("Error() = %q, want %q", err.Error(), want)
	}
}

// FuzzFileGate: the gates never panic, and a statement refused for a
// keyword really contains that keyword outside comments.
func FuzzFileGate(f *testing.F) {
	for _, s := range []string{"DROP TABLE a;", "DO $$ BEGIN TRUNCATE a; END $$;", "ALTER TABLE a DROP", "WITH x AS (DELETE FROM a) SELECT 1", "DO $x$$x$;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		stmts, err := splitScript(src)
		if err != nil {
			return
		}
		for _, st := range stmts {
			reason := gate(st)
			if reason == "" {
				continue
			}
			var b strings.Builder
			for _, tk := range st.code() {
				b.WriteString(strings.ToUpper(tk.text))
				b.WriteString(" ")
			}
			kw := strings.Fields(strings.TrimPrefix(reason, "DO block with "))[0]
			if !strings.Contains(b.String(), kw) {
				t.Fatalf("gate(%q) = %q without %s in its code", st.SQL, reason, kw)
			}
		}
	})
}
