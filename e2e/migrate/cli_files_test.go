package migrate_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/normkit/norm/migrate/migratecmd"
	"github.com/normkit/norm/migrate/versioned"
)

// filesRun runs one migrate command as normctl does and returns the exit
// status, stdout and stderr.
func filesRun(t *testing.T, dsn string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	opts := migratecmd.Options{Getenv: func(k string) string {
		if k == "DATABASE_URL" {
			return dsn
		}
		return ""
	}}
	code := migratecmd.Run(filesCtx(t), args, &out, &errOut, opts)
	return code, out.String(), errOut.String()
}

func filesOneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func TestFilesCommandLine(t *testing.T) {
	t.Parallel()
	db := cluster.NewDatabase(t)
	dir := filesWriteDir(t, "", map[string]string{
		"0001_users.up.sql":   "CREATE TABLE users (id int);",
		"0001_users.down.sql": "DROP TABLE users;",
		"0002_idx.up.sql":     "-- norm:no-transaction\nCREATE INDEX CONCURRENTLY users_id_idx ON users (id);",
		"0002_idx.down.sql":   "DROP INDEX users_id_idx;",
	})
	code, out, errOut := filesRun(t, db.DSN(), "up", "--dir", dir, "--dry-run")
	if code != 0 || !strings.Contains(filesOneLine(out), "would up 1 users (0001_users.up.sql) CREATE TABLE users (id int); would up 2 idx") {
		t.Fatalf("up --dry-run = %d\n%s%s", code, out, errOut)
	}
	// DATABASE_URL is empty here: the DSN comes from --dsn.
	code, out, errOut = filesRun(t, "", "up", "--dir", dir, "--dsn", db.DSN())
	if code != 0 || !strings.HasPrefix(filesOneLine(out), "up 1 users (0001_users.up.sql)") || !strings.Contains(filesOneLine(out), "up 2 idx (0002_idx.up.sql)") || !strings.Contains(out, "[no transaction]") {
		t.Fatalf("up = %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "applying 1 users") {
		t.Errorf("no progress on stderr: %q", errOut)
	}
	code, out, errOut = filesRun(t, db.DSN(), "status", "--json", "--dir", dir)
	var sts []versioned.MigrationStatus
	if code != 0 || json.Unmarshal([]byte(out), &sts) != nil {
		t.Fatalf("status --json = %d\n%s%s", code, out, errOut)
	}
	var states []string
	for _, s := range sts {
		states = append(states, string(s.State))
	}
	if !slices.Equal(states, []string{"applied", "applied"}) || sts[1].AppliedAt.IsZero() || !sts[1].NoTransaction {
		t.Fatalf("status = %+v", sts)
	}
	code, out, _ = filesRun(t, db.DSN(), "down", "--dir", dir, "--json")
	var res []versioned.MigrationResult
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil || len(res) != 1 || res[0].Version != 2 || res[0].Direction != versioned.DirectionDown {
		t.Fatalf("down --json = %d %s", code, out)
	}
	code, _, errOut = filesRun(t, db.DSN(), "down", "--dir", dir)
	if code != 1 || !strings.Contains(errOut, "DROP TABLE at 0001_users.down.sql:1") {
		t.Fatalf("gated down = %d, stderr %q; want exit 1 naming the statement", code, errOut)
	}
	code, _, errOut = filesRun(t, db.DSN(), "down", "--dir", dir, "--allow-destructive-down")
	if code != 0 {
		t.Fatalf("allowed down = %d: %s", code, errOut)
	}
	code, out, _ = filesRun(t, db.DSN(), "status", "--dir", dir)
	if code != 0 || strings.Count(out, "pending") != 2 {
		t.Fatalf("status after down = %d\n%s", code, out)
	}
	code, _, errOut = filesRun(t, db.DSN(), "baseline", "9", "--dir", dir)
	if code != 1 || !strings.Contains(errOut, "Baseline(9): no migration has that version") {
		t.Fatalf("baseline 9 = %d %q", code, errOut)
	}
	code, _, errOut = filesRun(t, "postgres://nobody@127.0.0.1:1/none?connect_timeout=2", "up", "--dir", dir)
	if code != 1 || errOut == "" {
		t.Fatalf("unreachable database = %d %q, want exit 1 with a message", code, errOut)
	}
}
