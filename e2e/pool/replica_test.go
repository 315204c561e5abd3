package pool

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	normpool "github.com/normkit/norm/pool"
	"github.com/normkit/norm/tools/pgtest"
)

// TestReplicaFaults stops, pauses and restarts the replica of a cluster of
// its own; the steps share it and run in order.
func TestReplicaFaults(t *testing.T) {
	t.Parallel()
	c := dedicated(t, pgtest.Options{Replica: true})
	ctx := testCtx(t)

	t.Run("stopped replica leaves rotation and returns", func(t *testing.T) {
		db, _ := openReplicated(t, c, "", normpool.Config{HealthCheckPeriod: 100 * time.Millisecond})
		if !onReplica(ctx, t, db, "SELECT pg_is_in_recovery()") {
			t.Fatal("reads do not reach the replica to begin with")
		}
		if err := c.StopReplica(ctx); err != nil {
			t.Fatal(err)
		}
		// Every read succeeds, even the ones routed before the health loop
		// noticed: they are retried on the primary.
		stopped := time.Now()
		for onReplica(ctx, t, db, "SELECT pg_is_in_recovery()") {
			if time.Since(stopped) > 5*time.Second {
				t.Fatal("reads still reach the stopped replica")
			}
		}
		eventually(t, time.Second, "health report still shows the replica up", func() bool {
			rep, _ := db.Health(ctx)
			return rep.Status == "degraded" && !rep.Endpoints[1].Up
		})
		for range 20 {
			if onReplica(ctx, t, db, "SELECT pg_is_in_recovery()") {
				t.Fatal("a read reached the stopped replica")
			}
		}
		if err := c.StartReplica(ctx); err != nil {
			t.Fatal(err)
		}
		eventually(t, 10*time.Second, "reads did not return to the restarted replica", func() bool {
			return onReplica(ctx, t, db, "SELECT pg_is_in_recovery()")
		})
	})

	t.Run("lagging replica is avoided", func(t *testing.T) {
		db, d := openReplicated(t, c, "CREATE TABLE t (v int)", normpool.Config{
			HealthCheckPeriod: 100 * time.Millisecond, MaxReplicaLag: 300 * time.Millisecond})
		if !onReplica(ctx, t, db, "SELECT pg_is_in_recovery()") {
			t.Fatal("reads do not reach the replica to begin with")
		}
		if err := c.PauseReplay(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.ResumeReplay(context.Background()) })
		writer := d.Conn(t)
		deadline := time.Now().Add(10 * time.Second)
		for onReplica(ctx, t, db, "SELECT pg_is_in_recovery()") {
			if time.Now().After(deadline) {
				rep, _ := db.Health(ctx)
				t.Fatalf("reads still reach a replica paused for 10s: %+v", rep.Endpoints[1])
			}
			if _, err := writer.Exec(ctx, "INSERT INTO t VALUES (1)"); err != nil {
				t.Fatal(err)
			}
			time.Sleep(50 * time.Millisecond)
		}
		rep, err := db.Health(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if r := rep.Endpoints[1]; r.LagSeconds < 0.3 || r.LagBytes == 0 || !r.Up {
			t.Errorf("replica report = %+v, want up with lag above 300ms", r)
		}
		if err := c.ResumeReplay(ctx); err != nil {
			t.Fatal(err)
		}
		eventually(t, 10*time.Second, "reads did not return to the caught-up replica", func() bool {
			return onReplica(ctx, t, db, "SELECT pg_is_in_recovery()")
		})
	})

	t.Run("read your writes while replay is paused", func(t *testing.T) {
		// The session routes reads, not read-your-writes of the DB.
		db, _ := openReplicated(t, c, "CREATE TABLE profile (id int PRIMARY KEY, name text)", normpool.Config{
			HealthCheckPeriod: 100 * time.Millisecond, MaxReplicaLag: time.Hour, AllowStaleReads: true})
		if err := c.PauseReplay(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.ResumeReplay(context.Background()) })
		user := normpool.ReadYourWrites(ctx)
		if _, err := db.Exec(user, "INSERT INTO profile VALUES (1, 'saved')"); err != nil {
			t.Fatal(err)
		}
		if normpool.SessionFrom(user).LSN() == 0 {
			t.Fatal("the write did not record its WAL position in the session")
		}
		var name string
		if err := db.QueryRow(user, "SELECT name FROM profile WHERE id = 1").Scan(&name); err != nil || name != "saved" {
			t.Errorf("own write read back as %q (%v), want saved", name, err)
		}
		// Without the session the read goes to the paused replica, which
		// has not got the row: proof that the session changed the route.
		err := db.QueryRow(ctx, "SELECT name FROM profile WHERE id = 1").Scan(&name)
		if !errors.Is(err, pgx.ErrNoRows) {
			t.Errorf("read without session = %q, %v; want no rows from the paused replica", name, err)
		}
		// InTx commits advance the session too.
		if err := db.InTx(user, func(ctx context.Context) error {
			_, err := db.Exec(ctx, "UPDATE profile SET name = 'edited' WHERE id = 1")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRow(user, "SELECT name FROM profile WHERE id = 1").Scan(&name); err != nil || name != "edited" {
			t.Errorf("own transaction read back as %q (%v), want edited", name, err)
		}
		if err := c.ResumeReplay(ctx); err != nil {
			t.Fatal(err)
		}
		if err := c.WaitReplay(ctx); err != nil {
			t.Fatal(err)
		}
		eventually(t, 10*time.Second, "the session's reads did not return to the replica once it caught up", func() bool {
			return onReplica(user, t, db, "SELECT pg_is_in_recovery()")
		})
	})
}
