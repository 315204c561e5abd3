package migrate_test

import (
	"context"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/normkit/norm/migrate"
	"github.com/normkit/norm/migrate/versioned"
	normpool "github.com/normkit/norm/pool"
	"github.com/normkit/norm/tools/pgtest"
)

// migrate.DB carries the ability to hold one connection (Acquire), so
// what cannot serve a migration is a compile error; these are the values
// that can. (migrate cannot import pool: the assertion lives here.)
var (
	_ migrate.DB = (*normpool.DB)(nil)
	_ migrate.DB = (*pgxpool.Pool)(nil)
)

// openPoolDB opens a *pool.DB on d, closed at cleanup.
func openPoolDB(t *testing.T, d *pgtest.Database) *normpool.DB {
	t.Helper()
	db, err := normpool.Open(ctxT(t), normpool.Config{ConnString: d.DSN()})
	if err != nil {
		t.Fatalf("pool.Open: %v", err)
	}
	t.Cleanup(db.Close)
	return db
}

// indexValid reports whether the index name exists and is valid.
func indexValidOn(ctx context.Context, t *testing.T, q migrate.Querier, name string) bool {
	t.Helper()
	var valid bool
	err := q.QueryRow(ctx, `SELECT coalesce((SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass($1)), false)`, name).Scan(&valid)
	if err != nil {
		t.Fatal(err)
	}
	return valid
}

// TestAutoApplyOverPoolDB: an AutoMigrator takes a *pool.DB as it is
// (no Primary()), and applies an online plan — transactional steps and
// CREATE INDEX CONCURRENTLY outside a transaction under the session
// advisory lock — from two migrators at once, the later one finding
// nothing left to do.
func TestAutoApplyOverPoolDB(t *testing.T) {
	t.Parallel()
	d := cluster.NewDatabase(t)
	db := openPoolDB(t, d)
	ctx := ctxT(t)
	if _, err := newAuto(t, db, []any{owner{}, itemV1{}}, migrate.AutoOptions{}).Apply(ctx); err != nil {
		t.Fatalf("Apply v1 over *pool.DB: %v", err)
	}
	conn := d.Conn(t)
	// Rows, so that the online plan builds the indexes CONCURRENTLY.
	if _, err := conn.Exec(ctx, `INSERT INTO owners DEFAULT VALUES;
		INSERT INTO items (name, qty, note, owner_id) SELECT 'item ' || g, g, 'n', 1 FROM generate_series(1, 1000) g`); err != nil {
		t.Fatal(err)
	}
	online := migrate.AutoOptions{PlanOptions: migrate.PlanOptions{Online: true}}
	plan := mustPlan(t, newAuto(t, db, []any{owner{}, busyV2{}}, online))
	outside := 0
	for _, s := range plan.Steps {
		if !s.Transactional {
			outside++
		}
	}
	if outside == 0 {
		t.Fatalf("the online plan has no step outside a transaction, the test needs one:\n%s", plan.Text())
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = newAuto(t, db, []any{owner{}, busyV2{}}, online).Apply(ctx)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Apply v2 (online) over *pool.DB, migrator %d: %v", i, err)
		}
	}
	for _, idx := range []string{"items_name_idx", "items_qty_idx"} {
		if !indexValidOn(ctx, t, conn, idx) {
			t.Errorf("index %s is missing or invalid after Apply", idx)
		}
	}
	if again := mustPlan(t, newAuto(t, db, []any{owner{}, busyV2{}}, online)); !again.Empty() {
		t.Errorf("plan after Apply is not empty:\n%s", again.Text())
	}
	var locks int
	// pg_locks lists advisory locks of every database of the cluster;
	// count this test's only, not those of tests running beside it.
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND d.datname = current_database()").Scan(&locks); err != nil || locks != 0 {
		t.Errorf("advisory locks left held: %d (%v)", locks, err)
	}
}

// TestFilesUpOverPoolDB: a Migrator takes a *pool.DB as it is and runs
// a transactional file and a no-transaction CREATE INDEX CONCURRENTLY,
// from two migrators at once, each version applied exactly once.
func TestFilesUpOverPoolDB(t *testing.T) {
	t.Parallel()
	d := cluster.NewDatabase(t)
	db := openPoolDB(t, d)
	ctx := filesCtx(t)
	files := map[string]string{
		"0001_t.up.sql":   "CREATE TABLE t (a int); INSERT INTO t SELECT generate_series(1, 1000);",
		"0002_idx.up.sql": "-- norm:no-transaction\nCREATE INDEX CONCURRENTLY t_a_idx ON t (a);",
	}
	var wg sync.WaitGroup
	results := make([][]versioned.MigrationResult, 2)
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = filesMigrator(t, db, files, versioned.MigratorOptions{}).Up(ctx)
		}()
	}
	wg.Wait()
	applied := map[int64]int{}
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Up over *pool.DB, migrator %d: %v", i, err)
		}
		for _, r := range results[i] {
			applied[r.Version]++
		}
	}
	if applied[1] != 1 || applied[2] != 1 || len(applied) != 2 {
		t.Errorf("versions applied (by count) = %v, want 1 and 2 once each", applied)
	}
	conn := d.Conn(t)
	if !indexValidOn(ctx, t, conn, "t_a_idx") {
		t.Error("t_a_idx is missing or invalid after Up")
	}
	st, err := filesMigrator(t, db, files, versioned.MigratorOptions{}).Status(ctx)
	if err != nil {
		t.Fatalf("Status over *pool.DB: %v", err)
	}
	for _, s := range st {
		if s.State != versioned.StateApplied {
			t.Errorf("version %d is %s, want applied", s.Version, s.State)
		}
	}
}

// TestPoolConnectionComesBackClean: what a no-transaction file sets on its
// session does not reach the pool's next user (a *pool.DB of one
// connection, so the next statement gets the migrator's connection).
func TestPoolConnectionComesBackClean(t *testing.T) {
	t.Parallel()
	d := cluster.NewDatabase(t)
	db, err := normpool.Open(ctxT(t), normpool.Config{ConnString: d.DSN(), MaxConns: 1,
		RuntimeParams: map[string]string{"application_name": "app"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	ctx := filesCtx(t)
	files := map[string]string{
		"0001_t.up.sql": "-- norm:no-transaction\nSET application_name = 'leaked';\nSET work_mem = '7MB';\n" +
			"SELECT pg_advisory_lock(7);\nCREATE TABLE t (a int);",
	}
	if _, err := filesMigrator(t, db, files, versioned.MigratorOptions{}).Up(ctx); err != nil {
		t.Fatalf("Up: %v", err)
	}
	var app, workMem string
	var locks int
	err = db.QueryRow(ctx, `SELECT current_setting('application_name'), current_setting('work_mem'),
		(SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid())`).Scan(&app, &workMem, &locks)
	if err != nil {
		t.Fatal(err)
	}
	if app != "app" || workMem == "7MB" || locks != 0 {
		t.Errorf("after the migration the pool's connection has application_name=%q work_mem=%q advisory locks=%d; want app, the default, 0",
			app, workMem, locks)
	}
}
