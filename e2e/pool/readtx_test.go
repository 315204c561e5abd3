package pool

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	normpool "github.com/normkit/norm/pool"
	"github.com/normkit/norm/tools/pgtest"
)

// inRecovery asks the server running ctx's transaction whether it is a
// standby.
func inRecovery(ctx context.Context, db *normpool.DB) (bool, error) {
	var standby bool
	err := db.QueryRow(ctx, "SELECT pg_is_in_recovery()").Scan(&standby)
	return standby, err
}

// servedBy runs a read-only InTx through ctx with opts and reports whether
// the replica served it, failing the test on any error.
func servedBy(ctx context.Context, t *testing.T, db *normpool.DB, opts ...normpool.TxOption) bool {
	t.Helper()
	var standby bool
	err := db.InTx(ctx, func(ctx context.Context) error {
		var err error
		standby, err = inRecovery(ctx, db)
		return err
	}, append([]normpool.TxOption{normpool.ReadOnly()}, opts...)...)
	if err != nil {
		t.Fatalf("read-only InTx: %v", err)
	}
	return standby
}

func TestReadOnlyInTxRouting(t *testing.T) {
	t.Parallel()
	// Routing by transaction options, not read-your-writes (ryw_test.go):
	// the read-write cases below commit while the read-only ones begin.
	db, _ := openReplicated(t, cluster, txSchema, normpool.Config{AllowStaleReads: true})
	ctx := testCtx(t)
	tests := []struct {
		name        string
		ctx         context.Context
		opts        []normpool.TxOption
		wantReplica bool
	}{
		{"read-only is served by the replica", ctx, []normpool.TxOption{normpool.ReadOnly()}, true},
		{"read-only repeatable read is served by the replica", ctx,
			[]normpool.TxOption{normpool.ReadOnly(), normpool.WithIsolation(pgx.RepeatableRead)}, true},
		{"UseReplica changes nothing for a read-only tx", normpool.UseReplica(ctx), []normpool.TxOption{normpool.ReadOnly()}, true},
		{"UsePrimary forces the primary", normpool.UsePrimary(ctx), []normpool.TxOption{normpool.ReadOnly()}, false},
		{"read-only serializable stays on the primary (a standby refuses it)", ctx,
			[]normpool.TxOption{normpool.ReadOnly(), normpool.WithIsolation(pgx.Serializable), normpool.Deferrable()}, false},
		{"read-write uses the primary", ctx, nil, false},
		{"read-write uses the primary even through UseReplica", normpool.UseReplica(ctx), nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var standby bool
			err := db.InTx(tt.ctx, func(ctx context.Context) error {
				var err error
				standby, err = inRecovery(ctx, db)
				return err
			}, tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			if standby != tt.wantReplica {
				t.Errorf("pg_is_in_recovery() inside fn = %v, want %v", standby, tt.wantReplica)
			}
		})
	}
}

// TestReadOnlyInTxOnBeginRunsOnReplica checks that the transaction-local
// settings OnBegin makes (rlsutil's hook point) are in force inside a
// read-only transaction served by the replica.
func TestReadOnlyInTxOnBeginRunsOnReplica(t *testing.T) {
	t.Parallel()
	var hooked atomic.Int32
	db, _ := openReplicated(t, cluster, txSchema, normpool.Config{
		OnBegin: func(ctx context.Context, tx pgx.Tx) error {
			hooked.Add(1)
			_, err := tx.Exec(ctx, "SELECT set_config('app.tenant', 'acme', true)")
			return err
		},
	})
	ctx := testCtx(t)
	var standby bool
	var tenant string
	err := db.InTx(ctx, func(ctx context.Context) error {
		return db.QueryRow(ctx, "SELECT pg_is_in_recovery(), current_setting('app.tenant')").Scan(&standby, &tenant)
	}, normpool.ReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	if !standby || tenant != "acme" {
		t.Errorf("inside fn: in recovery %v, app.tenant %q; want the replica with acme", standby, tenant)
	}
	if n := hooked.Load(); n != 1 {
		t.Errorf("OnBegin ran %d times, want once", n)
	}
}

// TestReadOnlyInTxOnReplicaKeepsTxSemantics checks that the ctx-carried
// transaction and AfterCommit behave on the replica as on the primary.
func TestReadOnlyInTxOnReplicaKeepsTxSemantics(t *testing.T) {
	t.Parallel()
	db, _ := openReplicated(t, cluster, txSchema, normpool.Config{})
	ctx := testCtx(t)
	var committed, rolledBack atomic.Bool
	var pids [2]uint32
	var standby bool
	var marker string
	err := db.InTx(ctx, func(ctx context.Context) error {
		normpool.AfterCommit(ctx, func() { committed.Store(true) })
		if err := db.QueryRow(ctx, "SELECT pg_backend_pid(), pg_is_in_recovery(), set_config('app.marker', 'in-tx', true)").
			Scan(&pids[0], &standby, &marker); err != nil {
			return err
		}
		if committed.Load() {
			t.Error("AfterCommit callback ran before the commit")
		}
		// A second call through ctx joins the transaction: same backend,
		// and the transaction-local setting is still there.
		return db.QueryRow(ctx, "SELECT pg_backend_pid(), current_setting('app.marker')").Scan(&pids[1], &marker)
	}, normpool.ReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	if !standby {
		t.Fatal("the read-only transaction did not run on the replica")
	}
	if pids[0] != pids[1] || marker != "in-tx" {
		t.Errorf("calls through ctx ran on backends %v with app.marker %q: not one transaction", pids, marker)
	}
	if !committed.Load() {
		t.Error("AfterCommit callback did not run after the commit")
	}

	errBoom := errors.New("boom")
	err = db.InTx(ctx, func(ctx context.Context) error {
		normpool.AfterCommit(ctx, func() { rolledBack.Store(true) })
		return errBoom
	}, normpool.ReadOnly())
	if !errors.Is(err, errBoom) {
		t.Errorf("InTx = %v, want fn's error", err)
	}
	if rolledBack.Load() {
		t.Error("AfterCommit callback of a rolled-back read-only transaction ran")
	}
}

func TestReadOnlyInTxRefusesWrites(t *testing.T) {
	t.Parallel()
	db, _ := openReplicated(t, cluster, txSchema, normpool.Config{})
	ctx := testCtx(t)
	tests := []struct {
		name        string
		ctx         context.Context
		wantReplica bool
	}{
		{"on the replica", ctx, true},
		{"on the primary", normpool.UsePrimary(ctx), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			runs := 0
			err := db.InTx(tt.ctx, func(ctx context.Context) error {
				runs++
				standby, err := inRecovery(ctx, db)
				if err != nil {
					return err
				}
				if standby != tt.wantReplica {
					t.Errorf("in recovery = %v, want %v", standby, tt.wantReplica)
				}
				_, err = db.Exec(ctx, "INSERT INTO notes VALUES (1, 'refused')")
				return err
			}, normpool.ReadOnly())
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) || pgErr.Code != "25006" {
				t.Errorf("write in a read-only InTx = %v, want SQLSTATE 25006", err)
			}
			if runs != 1 {
				t.Errorf("fn ran %d times, want once (a refused write is not moved)", runs)
			}
		})
	}
	if n := countNotes(ctx, t, db); n != 0 {
		t.Errorf("notes = %d after refused writes, want 0", n)
	}
}

func TestNestedReadOnlyInTxStaysInOuterTx(t *testing.T) {
	t.Parallel()
	db, _ := openReplicated(t, cluster, txSchema, normpool.Config{})
	ctx := testCtx(t)
	var outerPID, innerPID uint32
	var standby bool
	var seen int
	err := db.InTx(ctx, func(ctx context.Context) error {
		if err := db.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&outerPID); err != nil {
			return err
		}
		if _, err := db.Exec(ctx, "INSERT INTO notes VALUES (1, 'uncommitted')"); err != nil {
			return err
		}
		return db.InTx(ctx, func(ctx context.Context) error {
			return db.QueryRow(ctx, "SELECT pg_backend_pid(), pg_is_in_recovery(), count(*)::int FROM notes").
				Scan(&innerPID, &standby, &seen)
		}, normpool.ReadOnly())
	})
	if err != nil {
		t.Fatal(err)
	}
	if standby || innerPID != outerPID || seen != 1 {
		t.Errorf("nested read-only InTx: in recovery %v, backend %d (outer %d), saw %d rows; "+
			"want the outer transaction on the primary, seeing its uncommitted row", standby, innerPID, outerPID, seen)
	}
}

// TestReadOnlyInTxFaults stops and pauses the replica of a cluster of its
// own; the steps share it and run in order.
func TestReadOnlyInTxFaults(t *testing.T) {
	t.Parallel()
	c := dedicated(t, pgtest.Options{Replica: true})
	ctx := testCtx(t)
	const schema = "CREATE TABLE profile (id int PRIMARY KEY, name text)"

	t.Run("falls back to the primary when the session's write is not replayed", func(t *testing.T) {
		// The session routes reads, not read-your-writes of the DB.
		db, _ := openReplicated(t, c, schema, normpool.Config{MaxReplicaLag: time.Hour, AllowStaleReads: true})
		pauseReplay(ctx, t, c)
		user := normpool.ReadYourWrites(ctx)
		if _, err := db.Exec(user, "INSERT INTO profile VALUES (1, 'saved')"); err != nil {
			t.Fatal(err)
		}
		var standby bool
		var name string
		read := func(ctx context.Context) error {
			name = ""
			return db.InTx(ctx, func(ctx context.Context) error {
				return db.QueryRow(ctx, "SELECT pg_is_in_recovery(), coalesce((SELECT name FROM profile WHERE id = 1), '')").
					Scan(&standby, &name)
			}, normpool.ReadOnly())
		}
		if err := read(user); err != nil {
			t.Fatal(err)
		}
		if standby || name != "saved" {
			t.Errorf("with the session: in recovery %v, name %q; want the primary with the saved row", standby, name)
		}
		// Without the session the paused replica serves it, and has not
		// got the row: proof that the session changed the route.
		if err := read(ctx); err != nil {
			t.Fatal(err)
		}
		if !standby || name != "" {
			t.Errorf("without the session: in recovery %v, name %q; want the paused replica without the row", standby, name)
		}
		// A session seeded from a token (a client's header) routes alike.
		lsn, err := normpool.ParseLSN(normpool.FormatLSN(normpool.SessionFrom(user).LSN()))
		if err != nil {
			t.Fatal(err)
		}
		seeded := new(normpool.Session)
		seeded.SetLSN(lsn)
		if err := read(normpool.WithSession(ctx, seeded)); err != nil {
			t.Fatal(err)
		}
		if standby || name != "saved" {
			t.Errorf("with a seeded session: in recovery %v, name %q; want the primary with the saved row", standby, name)
		}
	})

	t.Run("waits for the replica to replay the session's write", func(t *testing.T) {
		// The health loop sleeps for an hour: only the wait's own look at
		// the replica can see it catch up.
		db, _ := openReplicated(t, c, schema, normpool.Config{
			MaxReplicaLag: time.Hour, HealthCheckPeriod: time.Hour, ReplicaWait: 10 * time.Second})
		pauseReplay(ctx, t, c)
		user := normpool.ReadYourWrites(ctx)
		if _, err := db.Exec(user, "INSERT INTO profile VALUES (1, 'saved')"); err != nil {
			t.Fatal(err)
		}
		const pause = 300 * time.Millisecond
		resumed := make(chan error, 1)
		go func() {
			time.Sleep(pause)
			resumed <- c.ResumeReplay(ctx)
		}()
		start := time.Now()
		var standby bool
		var name string
		err := db.InTx(user, func(ctx context.Context) error {
			return db.QueryRow(ctx, "SELECT pg_is_in_recovery(), coalesce((SELECT name FROM profile WHERE id = 1), '')").
				Scan(&standby, &name)
		}, normpool.ReadOnly())
		waited := time.Since(start)
		if rerr := <-resumed; rerr != nil {
			t.Fatal(rerr)
		}
		if err != nil {
			t.Fatal(err)
		}
		if !standby || name != "saved" {
			t.Errorf("in recovery %v, name %q; want the replica, caught up, with the saved row", standby, name)
		}
		if waited < pause-50*time.Millisecond {
			t.Errorf("served after %s, before replay resumed at %s", waited, pause)
		}
	})

	t.Run("gives up waiting and uses the primary", func(t *testing.T) {
		const wait = 300 * time.Millisecond
		db, _ := openReplicated(t, c, schema, normpool.Config{MaxReplicaLag: time.Hour, ReplicaWait: wait})
		pauseReplay(ctx, t, c)
		user := normpool.ReadYourWrites(ctx)
		if _, err := db.Exec(user, "INSERT INTO profile VALUES (1, 'saved')"); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		standby := servedBy(user, t, db)
		waited := time.Since(start)
		if standby {
			t.Error("served by the paused replica")
		}
		if waited < wait {
			t.Errorf("gave up after %s, want a wait of %s first", waited, wait)
		}
	})

	t.Run("falls back to the primary when replay is paused past MaxReplicaLag", func(t *testing.T) {
		db, d := openReplicated(t, c, "CREATE TABLE t (v int)", normpool.Config{MaxReplicaLag: 300 * time.Millisecond})
		if !servedBy(ctx, t, db) {
			t.Fatal("read-only transactions do not reach the replica to begin with")
		}
		pauseReplay(ctx, t, c)
		writer := d.Conn(t)
		eventually(t, 10*time.Second, "the health report never showed lag past MaxReplicaLag", func() bool {
			if _, err := writer.Exec(ctx, "INSERT INTO t VALUES (1)"); err != nil {
				t.Fatal(err)
			}
			rep, _ := db.Health(ctx)
			return rep.Endpoints[1].LagSeconds > 0.3
		})
		for range 5 {
			if servedBy(ctx, t, db) {
				t.Fatal("a read-only transaction reached the replica lagging past MaxReplicaLag")
			}
		}
	})

	t.Run("a replica that dies under fn is not replaced", func(t *testing.T) {
		db, _ := openReplicated(t, c, "", normpool.Config{})
		runs := 0
		err := db.InTx(ctx, func(ctx context.Context) error {
			runs++
			standby, err := inRecovery(ctx, db)
			if err != nil || !standby {
				t.Errorf("first statement: in recovery %v (%v), want the replica", standby, err)
			}
			if err := c.StopReplica(ctx); err != nil {
				t.Fatal(err)
			}
			_, err = inRecovery(ctx, db)
			return err
		}, normpool.ReadOnly())
		t.Cleanup(func() { startReplica(t, c) })
		if err == nil {
			t.Error("InTx succeeded although its replica stopped under fn")
		}
		if runs != 1 {
			t.Errorf("fn ran %d times, want once: a started transaction is never moved", runs)
		}
	})

	t.Run("falls back to the primary when the replica is stopped", func(t *testing.T) {
		startReplica(t, c)
		// The health loop sleeps for an hour: the replica still looks up,
		// so the transaction tries it, and must begin on the primary.
		db, _ := openReplicated(t, c, "", normpool.Config{HealthCheckPeriod: time.Hour})
		if !servedBy(ctx, t, db) {
			t.Fatal("read-only transactions do not reach the replica to begin with")
		}
		if err := c.StopReplica(ctx); err != nil {
			t.Fatal(err)
		}
		runs := 0
		var standby bool
		err := db.InTx(ctx, func(ctx context.Context) error {
			runs++
			var err error
			standby, err = inRecovery(ctx, db)
			return err
		}, normpool.ReadOnly())
		if err != nil {
			t.Fatalf("read-only InTx with the replica stopped: %v", err)
		}
		if standby || runs != 1 {
			t.Errorf("in recovery %v, fn ran %d times; want the primary, once", standby, runs)
		}
		// Once the health loop has noticed, routing skips it up front.
		eventually(t, 5*time.Second, "the health report still shows the stopped replica up", func() bool {
			rep, _ := db.Health(ctx)
			return !rep.Endpoints[1].Up
		})
		if servedBy(ctx, t, db) {
			t.Error("a read-only transaction reached the stopped replica")
		}
		startReplica(t, c)
	})
}

// pauseReplay pauses replay on c's replica until the end of the test.
func pauseReplay(ctx context.Context, t *testing.T, c *pgtest.Cluster) {
	t.Helper()
	if err := c.PauseReplay(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.ResumeReplay(context.Background()); err != nil {
			t.Errorf("ResumeReplay: %v", err)
		}
	})
}

// startReplica starts c's replica again (a no-op when it runs).
func startReplica(t *testing.T, c *pgtest.Cluster) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.StartReplica(ctx); err != nil {
		t.Fatalf("StartReplica: %v", err)
	}
}
