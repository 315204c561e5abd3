package migrate_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/normkit/norm/migrate/migratecmd"
	"github.com/normkit/norm/migrate/versioned"
)

// TestIndexBuildProgress runs a no-transaction file whose CREATE INDEX
// CONCURRENTLY on a large table takes a while, through the commands with
// stderr not a terminal: the build's progress arrives as JSON events
// read from pg_stat_progress_create_index, with phases and totals, and
// the index is built.
func TestIndexBuildProgress(t *testing.T) {
	t.Parallel()
	ctx := ctxT(t)
	db := cluster.NewDatabase(t)
	conn := db.Conn(t)
	if _, err := conn.Exec(ctx, `CREATE TABLE big (id bigint PRIMARY KEY, a text NOT NULL, b bigint NOT NULL);
		INSERT INTO big SELECT g, md5(g::text), (g::bigint * 7919) % 1000003 FROM generate_series(1, 1500000) g`); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := "-- norm:no-transaction\nCREATE INDEX CONCURRENTLY big_a_b_idx ON big (a, b);\n"
	if err := os.WriteFile(filepath.Join(dir, "0001_big_index.up.sql"), []byte(file), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	start := time.Now()
	code := migratecmd.Run(ctx, []string{"up", "--dir", dir, "--dsn", db.DSN()}, &out, &errOut,
		migratecmd.Options{Migrator: versioned.MigratorOptions{ProgressInterval: 100 * time.Millisecond}})
	took := time.Since(start)
	if code != migratecmd.ExitOK {
		t.Fatalf("up: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	var events []map[string]any
	phases := map[string]bool{}
	for _, line := range strings.Split(errOut.String(), "\n") {
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var ev map[string]any
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("progress line %q is not JSON: %v", line, err)
		}
		if ev["event"] != "index_progress" || ev["version"] != float64(1) || ev["command"] != "CREATE INDEX CONCURRENTLY" {
			t.Errorf("progress event %v: want index_progress of version 1, CREATE INDEX CONCURRENTLY", ev)
		}
		phases[ev["phase"].(string)] = true
		events = append(events, ev)
	}
	t.Logf("index build took %s: %d progress events, phases %v", took.Round(time.Millisecond), len(events), phases)
	if len(events) < 2 {
		t.Fatalf("%d progress events for a build of %s, want several; stderr:\n%s", len(events), took, errOut.String())
	}
	withTotal := false
	for _, ev := range events {
		withTotal = withTotal || ev["blocks_total"].(float64) > 0 || ev["tuples_total"].(float64) > 0
	}
	if !withTotal {
		t.Errorf("no progress event carries a total of blocks or tuples: %v", events)
	}
	var valid bool
	if err := conn.QueryRow(ctx, "SELECT indisvalid FROM pg_index WHERE indexrelid = 'big_a_b_idx'::regclass").Scan(&valid); err != nil || !valid {
		t.Errorf("index big_a_b_idx valid=%t (err %v), want a valid index", valid, err)
	}
}
