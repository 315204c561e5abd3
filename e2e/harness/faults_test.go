package harness

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/normkit/norm/tools/pgtest"
)

// ownCluster starts a cluster with a replica for one test, closed when
// the test ends.
func ownCluster(t *testing.T) (context.Context, *pgtest.Cluster) {
	t.Helper()
	return ownClusterWith(t, pgtest.Options{Replica: true})
}

// ownClusterWith is ownCluster with other options.
func ownClusterWith(t *testing.T, opts pgtest.Options) (context.Context, *pgtest.Cluster) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	c, err := pgtest.Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Error(err)
		}
	})
	return ctx, c
}

// TestRestartPrimary uses a cluster of its own: stopping the shared
// primary would break every parallel test.
func TestRestartPrimary(t *testing.T) {
	t.Parallel()
	ctx, c := ownCluster(t)
	db := c.NewDatabase(t)
	before := db.Conn(t)
	if _, err := before.Exec(ctx, "CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)"); err != nil {
		t.Fatal(err)
	}
	if err := c.RestartPrimary(ctx); err != nil {
		t.Fatal(err)
	}
	if err := before.Ping(ctx); err == nil {
		t.Error("a connection from before the restart still answers")
	}
	after, err := pgx.Connect(ctx, db.DSN())
	if err != nil {
		t.Fatalf("fresh connection after restart: %v", err)
	}
	defer after.Close(ctx)
	var v int
	if err := after.QueryRow(ctx, "SELECT v FROM kept").Scan(&v); err != nil || v != 42 {
		t.Fatalf("committed row after restart: v=%d err=%v", v, err)
	}
	// The replica follows the restarted primary.
	if _, err := after.Exec(ctx, "INSERT INTO kept VALUES (43)"); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitReplay(ctx); err != nil {
		t.Fatalf("replica after primary restart: %v", err)
	}
}

func TestPauseReplayMakesLag(t *testing.T) {
	t.Parallel()
	ctx, c := ownCluster(t)
	db := c.NewDatabase(t)
	primary := db.Conn(t)
	replica, err := pgx.Connect(ctx, db.ReplicaDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer replica.Close(ctx)
	if _, err := primary.Exec(ctx, "CREATE TABLE t (v int)"); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitReplay(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.PauseReplay(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := primary.Exec(ctx, "INSERT INTO t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	short, cancelShort := context.WithTimeout(ctx, 300*time.Millisecond)
	err = c.WaitReplay(short)
	cancelShort()
	if err == nil {
		t.Fatal("WaitReplay returned although replay is paused")
	}
	var n int
	if err := replica.QueryRow(ctx, "SELECT count(*) FROM t").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("paused replica sees %d rows, want 0", n)
	}
	if err := c.ResumeReplay(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitReplay(ctx); err != nil {
		t.Fatal(err)
	}
	if err := replica.QueryRow(ctx, "SELECT count(*) FROM t").Scan(&n); err != nil || n != 1 {
		t.Errorf("resumed replica sees %d rows (err %v), want 1", n, err)
	}
	if err := c.StopReplica(ctx); err != nil {
		t.Fatal(err)
	}
	if err := replica.Ping(ctx); err == nil {
		t.Error("stopped replica still answers")
	}
	if err := c.StartReplica(ctx); err != nil {
		t.Fatal(err)
	}
}
