package pool

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	normpool "github.com/normkit/norm/pool"
	"github.com/normkit/norm/tools/pgtest"
)

var cluster *pgtest.Cluster

func TestMain(m *testing.M) {
	os.Exit(pgtest.RunMain(m, pgtest.Options{Replica: true, PgBouncer: true}, &cluster))
}

// testCtx is a ctx for one test, bounded so a hang fails instead of
// stalling the package.
func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// open opens a *pool.DB from cfg and shuts it down at cleanup. Tests use a
// short health period so that routing follows the servers quickly.
func open(t *testing.T, cfg normpool.Config) *normpool.DB {
	t.Helper()
	if cfg.HealthCheckPeriod == 0 {
		cfg.HealthCheckPeriod = 100 * time.Millisecond
	}
	db, err := normpool.Open(testCtx(t), cfg)
	if err != nil {
		t.Fatalf("pool.Open: %v", err)
	}
	t.Cleanup(db.Close)
	return db
}

// openReplicated opens a DB over a fresh database of c with its replica,
// after running setup on the primary and waiting for the replica to
// replay it.
func openReplicated(t *testing.T, c *pgtest.Cluster, setup string, cfg normpool.Config) (*normpool.DB, *pgtest.Database) {
	t.Helper()
	ctx := testCtx(t)
	d := c.NewDatabase(t)
	if setup != "" {
		if _, err := d.Conn(t).Exec(ctx, setup); err != nil {
			t.Fatalf("setup: %v", err)
		}
	}
	if err := c.WaitReplay(ctx); err != nil {
		t.Fatalf("WaitReplay: %v", err)
	}
	cfg.ConnString = d.DSN()
	cfg.ReplicaConnStrings = []string{d.ReplicaDSN(t)}
	return open(t, cfg), d
}

// dedicated starts a cluster of the test's own, for tests that stop,
// restart or pause servers.
func dedicated(t *testing.T, opts pgtest.Options) *pgtest.Cluster {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := pgtest.Start(ctx, opts)
	if err != nil {
		t.Fatalf("pgtest.Start: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("closing the dedicated cluster: %v", err)
		}
	})
	return c
}

// onReplica reports where q ran, by the server's own word.
func onReplica(ctx context.Context, t *testing.T, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, sql string, args ...any) bool {
	t.Helper()
	var inRecovery bool
	if err := q.QueryRow(ctx, sql, args...).Scan(&inRecovery); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return inRecovery
}

// eventually polls cond every 50ms until it holds or d passes.
func eventually(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// readAll reads every row of a Query and returns the call's error, or the
// rows' own.
func readAll(rows pgx.Rows, err error) error {
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
	}
	return rows.Err()
}
