package pgtest

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestReplicaWithoutPgBasebackup starts a cluster from a bin directory
// holding only initdb, pg_ctl and postgres — like the builds FetchServer
// fetches — so the replica is made with the low-level backup API, and
// checks that it is a standby streaming what the primary writes.
func TestReplicaWithoutPgBasebackup(t *testing.T) {
	t.Setenv("NORM_TEST_DATABASE_URL", "")
	t.Setenv("NORM_PG_VERSION", "")
	ctx := testCtx(t)
	local, err := defaultDiscovery.findBinDir(ctx)
	if err != nil {
		t.Fatalf("this test needs local server binaries: %v", err)
	}
	bin, err := os.MkdirTemp("", "pgtest-bin-") // t.TempDir is closed to the postgres OS user
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(bin) })
	if err := os.Chmod(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"initdb", "pg_ctl", "postgres"} {
		if err := os.Symlink(filepath.Join(local, name), filepath.Join(bin, name)); err != nil {
			t.Fatal(err)
		}
	}
	d := discovery{binDirs: func(context.Context) []string { return []string{bin} }, docker: func(context.Context) bool { return false }}
	c, err := d.start(ctx, Options{Replica: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	primary, err := pgx.Connect(ctx, c.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer primary.Close(ctx)
	if _, err := primary.Exec(ctx, "CREATE TABLE copied (n int); INSERT INTO copied SELECT generate_series(1, 1000)"); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitReplay(ctx); err != nil {
		t.Fatal(err)
	}
	replica, err := pgx.Connect(ctx, c.ReplicaDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer replica.Close(ctx)
	var inRecovery bool
	var sum int
	if err := replica.QueryRow(ctx, "SELECT pg_is_in_recovery(), (SELECT sum(n) FROM copied)").Scan(&inRecovery, &sum); err != nil {
		t.Fatal(err)
	}
	if !inRecovery || sum != 500500 {
		t.Errorf("replica: in recovery %v, sum %d; want a standby holding the primary's 1000 rows (sum 500500)", inRecovery, sum)
	}
	var app string
	if err := primary.QueryRow(ctx, "SELECT application_name FROM pg_stat_replication").Scan(&app); err != nil || app != replicaAppName {
		t.Errorf("primary's WAL sender serves %q (%v), want the replica's application_name %q", app, err, replicaAppName)
	}
}
