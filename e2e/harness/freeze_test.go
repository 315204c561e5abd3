package harness

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/normkit/norm/tools/pgtest"
)

// TestFreezePrimary also leaves the replica frozen: the cluster's Close,
// checked by ownCluster, must thaw it to stop it.
func TestFreezePrimary(t *testing.T) {
	t.Parallel()
	ctx, c := ownCluster(t)
	db := c.NewDatabase(t)
	open := db.Conn(t)
	if err := c.FreezePrimary(ctx); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	var one int
	if err := open.QueryRow(short, "SELECT 1").Scan(&one); err == nil {
		t.Fatal("a frozen primary answered")
	}
	short2, cancel2 := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel2()
	if conn, err := pgx.Connect(short2, db.DSN()); err == nil {
		conn.Close(ctx)
		t.Fatal("a frozen primary accepted a connection")
	}
	if err := c.ThawPrimary(ctx); err != nil {
		t.Fatal(err)
	}
	after := db.Conn(t)
	if err := after.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
		t.Fatalf("after ThawPrimary: %v", err)
	}

	replica, err := pgx.Connect(ctx, db.ReplicaDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer replica.Close(ctx)
	if err := c.FreezeReplica(ctx); err != nil {
		t.Fatal(err)
	}
	short3, cancel3 := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel3()
	if err := replica.QueryRow(short3, "SELECT 1").Scan(&one); err == nil {
		t.Fatal("a frozen replica answered")
	}
	if _, err := after.Exec(ctx, "CREATE TABLE t (v int)"); err != nil {
		t.Fatalf("primary while the replica is frozen: %v", err)
	}
}

func TestSynchronousReplica(t *testing.T) {
	t.Parallel()
	ctx, c := ownClusterWith(t, pgtest.Options{Replica: true, SynchronousReplica: true})
	db := c.NewDatabase(t)
	primary := db.Conn(t)
	var state, commit string
	if err := primary.QueryRow(ctx, "SELECT sync_state, current_setting('synchronous_commit') FROM pg_stat_replication").Scan(&state, &commit); err != nil {
		t.Fatal(err)
	}
	if state != "sync" || commit != "on" {
		t.Fatalf("replication is %s with synchronous_commit=%s, want sync and on", state, commit)
	}
	if _, err := primary.Exec(ctx, "CREATE TABLE t (v int)"); err != nil {
		t.Fatal(err)
	}
	// A commit waits for the synchronous replica: a frozen one holds it.
	if err := c.FreezeReplica(ctx); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	if _, err := primary.Exec(short, "INSERT INTO t VALUES (1)"); err == nil {
		t.Fatal("a commit returned while the synchronous replica is frozen")
	}
	if err := c.ThawReplica(ctx); err != nil {
		t.Fatal(err)
	}
	again := db.Conn(t)
	if _, err := again.Exec(ctx, "INSERT INTO t VALUES (2)"); err != nil {
		t.Fatalf("commit after ThawReplica: %v", err)
	}
}
