package harness

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestCutReplicaStream(t *testing.T) {
	t.Parallel()
	ctx, c := ownCluster(t)
	db := c.NewDatabase(t)
	primary := db.Conn(t)
	replica := connect(t, db.ReplicaDSN(t), pgx.QueryExecModeCacheStatement)
	if _, err := primary.Exec(ctx, "CREATE TABLE t (v int)"); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitReplay(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.CutReplicaStream(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := primary.Exec(ctx, "INSERT INTO t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if n := count(t, replica, "t"); n != 0 {
			t.Fatalf("the cut-off replica sees %d rows, want 0", n)
		}
	}
	if n := count(t, primary, "t"); n != 1 {
		t.Fatalf("the primary has %d rows, want 1", n)
	}
	if err := c.RestoreReplicaStream(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitReplay(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(t, replica, "t"); n != 1 {
		t.Fatalf("the restored replica sees %d rows, want 1", n)
	}
}

// TestFailoverAndRejoin runs the whole cycle on one cluster: failover,
// a multi-host DSN finding the writer, and the old primary rejoining as a
// standby of the new one.
func TestFailoverAndRejoin(t *testing.T) {
	t.Parallel()
	ctx, c := ownCluster(t)
	db := c.NewDatabase(t)
	oldPrimary := db.Conn(t)
	oldPort, newPort := serverPort(t, oldPrimary), serverPort(t, connect(t, db.ReplicaDSN(t), pgx.QueryExecModeCacheStatement))
	if _, err := oldPrimary.Exec(ctx, "CREATE TABLE t (v int); INSERT INTO t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	multi := db.MultiHostDSN(t)
	before := connect(t, multi, pgx.QueryExecModeCacheStatement)
	if got := serverPort(t, before); got != oldPort {
		t.Errorf("before failover the multi-host DSN reached port %d, want the primary's %d", got, oldPort)
	}
	if err := c.WaitReplay(ctx); err != nil {
		t.Fatal(err)
	}

	if err := c.Failover(ctx); err != nil {
		t.Fatal(err)
	}
	if err := oldPrimary.Ping(ctx); err == nil {
		t.Error("the old primary still answers after Failover")
	}
	promoted := connect(t, db.ReplicaDSN(t), pgx.QueryExecModeCacheStatement)
	if inRecovery(t, promoted) {
		t.Fatal("the promoted server is still in recovery")
	}
	if _, err := promoted.Exec(ctx, "INSERT INTO t VALUES (2)"); err != nil {
		t.Fatalf("write on the promoted server: %v", err)
	}
	after := connect(t, multi, pgx.QueryExecModeCacheStatement)
	if got := serverPort(t, after); got != newPort {
		t.Errorf("after failover the multi-host DSN reached port %d, want the promoted %d", got, newPort)
	}
	if err := c.WaitReplay(ctx); err == nil {
		t.Error("WaitReplay succeeded with no standby")
	}

	if err := c.RejoinOldPrimaryAsStandby(ctx); err != nil {
		t.Fatal(err)
	}
	rejoined := connect(t, db.ReplicaDSN(t), pgx.QueryExecModeCacheStatement)
	if got := serverPort(t, rejoined); got != oldPort {
		t.Fatalf("after the rejoin ReplicaDSN names port %d, want the old primary's %d", got, oldPort)
	}
	if !inRecovery(t, rejoined) {
		t.Fatal("the rejoined old primary is not in recovery")
	}
	if _, err := promoted.Exec(ctx, "INSERT INTO t VALUES (3)"); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitReplay(ctx); err != nil {
		t.Fatalf("WaitReplay after the rejoin: %v", err)
	}
	if n := count(t, rejoined, "t"); n != 3 {
		t.Fatalf("the rejoined standby sees %d rows, want 3", n)
	}
	if got := serverPort(t, db.Conn(t)); got != newPort {
		t.Errorf("after the rejoin DSN names port %d, want the new primary's %d", got, newPort)
	}
}

// TestPromoteReplicaSplitBrain: both servers accept writes afterwards.
func TestPromoteReplicaSplitBrain(t *testing.T) {
	t.Parallel()
	ctx, c := ownCluster(t)
	db := c.NewDatabase(t)
	if err := c.PromoteReplica(ctx); err != nil {
		t.Fatal(err)
	}
	for _, dsn := range []string{db.DSN(), db.ReplicaDSN(t)} {
		conn := connect(t, dsn, pgx.QueryExecModeCacheStatement)
		if inRecovery(t, conn) {
			t.Errorf("%s is in recovery after PromoteReplica", dsn)
		}
		if _, err := conn.Exec(context.Background(), "CREATE TABLE IF NOT EXISTS t (v int)"); err != nil {
			t.Errorf("write after PromoteReplica: %v", err)
		}
	}
}
