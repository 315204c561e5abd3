package migrate_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/normkit/norm/migrate"
	"github.com/normkit/norm/migrate/migratecmd"
	"github.com/normkit/norm/migrate/versioned"
	"github.com/normkit/norm/tools/pgtest"
)

// TestIndexBuildProgress runs a no-transaction file whose CREATE INDEX
// CONCURRENTLY on a large table takes a while, through the commands with
// stderr not a terminal: the build's progress arrives as JSON events
// read from pg_stat_progress_create_index, with phases and totals, and
// the index is built.
func TestIndexBuildProgress(t *testing.T) {
	t.Parallel()
	ctx := ctxT(t)
	db, conn := bigTable(t)
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
	checkIndexProgress(t, errOut.String(), took, map[string]any{"version": float64(1)})
	checkValidIndex(t, conn, "big_a_b_idx")
}

// bigRow is the table of bigTable, with an index on a the table lacks.
type bigRow struct {
	ID int64  `db:"id" norm:"pk"`
	A  string `db:"a" norm:"index:big_a_idx"`
	B  int64  `db:"b"`
}

func (bigRow) TableName() string { return "big" }

// TestPlannerIndexBuildProgress: the planner's Apply, through the
// commands with stderr not a terminal, builds the models' new index on a
// large populated table CONCURRENTLY (planned online) and reports the
// build's progress as JSON events naming the step.
func TestPlannerIndexBuildProgress(t *testing.T) {
	t.Parallel()
	ctx := ctxT(t)
	db, conn := bigTable(t)
	opts := migrate.AutoOptions{PlanOptions: migrate.PlanOptions{Online: true}, ProgressInterval: 100 * time.Millisecond}
	var out, errOut bytes.Buffer
	start := time.Now()
	code := migratecmd.Run(ctx, []string{"apply", "--dsn", db.DSN()}, &out, &errOut,
		migratecmd.Options{Auto: migratecmd.Models(opts, bigRow{})})
	took := time.Since(start)
	if code != migratecmd.ExitOK {
		t.Fatalf("apply: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	checkIndexProgress(t, errOut.String(), took, map[string]any{"kind": string(migrate.CreateIndex), "table": "public.big"})
	checkValidIndex(t, conn, "big_a_idx")
}

// bigTable returns a database with a table big of 1.5 million rows, on
// which an index build takes seconds.
func bigTable(t *testing.T) (*pgtest.Database, *pgx.Conn) {
	t.Helper()
	db := cluster.NewDatabase(t)
	conn := db.Conn(t)
	if _, err := conn.Exec(ctxT(t), `CREATE TABLE big (id bigint PRIMARY KEY, a text NOT NULL, b bigint NOT NULL);
		INSERT INTO big SELECT g, md5(g::text), (g::bigint * 7919) % 1000003 FROM generate_series(1, 1500000) g`); err != nil {
		t.Fatal(err)
	}
	return db, conn
}

// checkIndexProgress reads the JSON progress events of stderr: several,
// each an index_progress of CREATE INDEX CONCURRENTLY carrying the
// fields of want, and some with a total of blocks or tuples.
func checkIndexProgress(t *testing.T, stderr string, took time.Duration, want map[string]any) {
	t.Helper()
	var events []map[string]any
	phases := map[string]bool{}
	for _, line := range strings.Split(stderr, "\n") {
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var ev map[string]any
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("progress line %q is not JSON: %v", line, err)
		}
		if ev["event"] != "index_progress" || ev["command"] != "CREATE INDEX CONCURRENTLY" {
			t.Errorf("progress event %v: want index_progress of CREATE INDEX CONCURRENTLY", ev)
		}
		for k, v := range want {
			if ev[k] != v {
				t.Errorf("progress event %v: %s = %v, want %v", ev, k, ev[k], v)
			}
		}
		phases[ev["phase"].(string)] = true
		events = append(events, ev)
	}
	t.Logf("index build took %s: %d progress events, phases %v", took.Round(time.Millisecond), len(events), phases)
	if len(events) < 2 {
		t.Fatalf("%d progress events for a build of %s, want several; stderr:\n%s", len(events), took, stderr)
	}
	withTotal := false
	for _, ev := range events {
		withTotal = withTotal || ev["blocks_total"].(float64) > 0 || ev["tuples_total"].(float64) > 0
	}
	if !withTotal {
		t.Errorf("no progress event carries a total of blocks or tuples: %v", events)
	}
}

func checkValidIndex(t *testing.T, conn *pgx.Conn, name string) {
	t.Helper()
	var valid bool
	if err := conn.QueryRow(ctxT(t), "SELECT indisvalid FROM pg_index WHERE indexrelid = $1::regclass", name).Scan(&valid); err != nil || !valid {
		t.Errorf("index %s valid=%t (err %v), want a valid index", name, valid, err)
	}
}
