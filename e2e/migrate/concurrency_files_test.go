package migrate_test

import (
	"sync"
	"testing"

	"github.com/normkit/norm/migrate/versioned"
)

// TestFilesConcurrentMigrators: eight migrators, each on its own pool,
// run Up at once. Every version is applied exactly once and all succeed.
func TestFilesConcurrentMigrators(t *testing.T) {
	t.Parallel()
	ctx := filesCtx(t)
	db := cluster.NewDatabase(t)
	files := map[string]string{
		"0001_runs.up.sql":  "CREATE TABLE runs (version int NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp());\nINSERT INTO runs (version) VALUES (1);",
		"0002_more.up.sql":  "INSERT INTO runs (version) VALUES (2);\nSELECT pg_sleep(0.05);",
		"0003_index.up.sql": "-- norm:no-transaction\nINSERT INTO runs (version) VALUES (3);\nCREATE INDEX CONCURRENTLY runs_version_idx ON runs (version);",
		"0004_last.up.sql":  "INSERT INTO runs (version) VALUES (4);",
	}
	const n = 8
	migrators := make([]*versioned.Migrator, n)
	for i := range migrators {
		migrators[i] = filesMigrator(t, db.Pool(t), files, versioned.MigratorOptions{})
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	applied := make([][]versioned.MigrationResult, n)
	start := make(chan struct{})
	for i, mg := range migrators {
		wg.Go(func() {
			<-start
			applied[i], errs[i] = mg.Up(ctx)
		})
	}
	close(start)
	wg.Wait()
	perVersion := map[int64]int{}
	for i := range n {
		if errs[i] != nil {
			t.Errorf("migrator %d: %v", i, errs[i])
		}
		for _, r := range applied[i] {
			perVersion[r.Version]++
		}
	}
	for v := int64(1); v <= 4; v++ {
		if perVersion[v] != 1 {
			t.Errorf("version %d reported applied by %d migrators, want 1", v, perVersion[v])
		}
	}
	pool := db.Pool(t)
	var runs, distinct int
	if err := pool.QueryRow(ctx, "SELECT count(*), count(DISTINCT version) FROM runs").Scan(&runs, &distinct); err != nil {
		t.Fatal(err)
	}
	if runs != 4 || distinct != 4 {
		t.Fatalf("runs = %d rows over %d versions, want each of 4 versions once", runs, distinct)
	}
	if got := filesRecorded(t, pool, "schema_migrations"); len(got) != 4 {
		t.Fatalf("history = %v, want 4 clean rows", got)
	}
}
