package pool

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	normpool "github.com/normkit/norm/pool"
)

// TestThroughPgBouncer runs routing and transactions with the primary
// behind PgBouncer in transaction pooling mode, in the exec mode the guide
// recommends for it (QueryExecModeCacheDescribe).
func TestThroughPgBouncer(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	d := cluster.NewDatabase(t)
	if _, err := d.Conn(t).Exec(ctx, routingSchema+txSchema); err != nil {
		t.Fatal(err)
	}
	if err := cluster.WaitReplay(ctx); err != nil {
		t.Fatal(err)
	}
	db := open(t, normpool.Config{
		ConnString:         d.BouncerDSN(t),
		ReplicaConnStrings: []string{d.ReplicaDSN(t)},
		QueryExecMode:      pgx.QueryExecModeCacheDescribe,
		// Routing by statement, not read-your-writes (ryw_test.go):
		// reads right after this DB wrote may go to the replica.
		AllowStaleReads: true,
	})
	t.Run("routing", func(t *testing.T) {
		for range 3 { // repeated: statements must not collide on server connections
			if !onReplica(ctx, t, db, "SELECT pg_is_in_recovery() FROM items WHERE id = $1", 1) {
				t.Error("read through the bouncer setup did not reach the replica")
			}
			if onReplica(ctx, t, db, "INSERT INTO items (name) VALUES ($1) RETURNING pg_is_in_recovery()", "b") {
				t.Error("INSERT … RETURNING ran on the replica")
			}
			if onReplica(ctx, t, db, "SELECT write_hidden()") {
				t.Error("hidden write ran on the replica")
			}
		}
	})
	t.Run("transactions", func(t *testing.T) {
		var after []string
		err := db.InTx(ctx, func(ctx context.Context) error {
			if _, err := db.Exec(ctx, "INSERT INTO notes VALUES ($1, $2)", 1, "kept"); err != nil {
				return err
			}
			normpool.AfterCommit(ctx, func() { after = append(after, "committed") })
			inner := db.InTx(ctx, func(ctx context.Context) error {
				_, _ = db.Exec(ctx, "INSERT INTO notes VALUES ($1, $2)", 2, "undone")
				return errors.New("undo")
			})
			if inner == nil {
				t.Error("inner InTx did not report its error")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.InTx(ctx, func(ctx context.Context) error {
			_, _ = db.Exec(ctx, "INSERT INTO notes VALUES ($1, $2)", 3, "rolled back")
			return errors.New("roll back")
		})
		if err == nil {
			t.Fatal("InTx swallowed fn's error")
		}
		rows, err := db.Query(normpool.UsePrimary(ctx), "SELECT id FROM notes ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
		if err != nil || len(ids) != 1 || ids[0] != 1 {
			t.Errorf("notes = %v (%v), want [1]", ids, err)
		}
		if len(after) != 1 {
			t.Errorf("AfterCommit callbacks = %v, want one", after)
		}
	})
	t.Run("serialization retry", func(t *testing.T) {
		err := db.InTx(ctx, func(ctx context.Context) error {
			_, err := db.Exec(ctx, "UPDATE accounts SET balance = balance + $1 WHERE id = $2", 1, 1)
			return err
		}, normpool.WithIsolation(pgx.Serializable), normpool.RetryConflicts(3))
		if err != nil {
			t.Fatal(err)
		}
	})
}

// TestPgBouncerRejectsCachedStatements documents why the exec mode matters:
// with pgx's default (QueryExecModeCacheStatement) statements prepared on
// one server connection are looked up on another, and PgBouncer 1.18 in
// transaction mode fails them.
func TestPgBouncerRejectsCachedStatements(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	d := cluster.NewDatabase(t)
	db := open(t, normpool.Config{ConnString: d.BouncerDSN(t), MaxConns: 4,
		Retry: normpool.RetryConfig{MaxAttempts: 1}})
	var failure error
	for i := 0; i < 200 && failure == nil; i++ {
		// Distinct statements from several client connections at once.
		errs := make(chan error, 4)
		for j := range 4 {
			go func() {
				var n int
				errs <- db.QueryRow(ctx, "SELECT $1::int + "+string(rune('0'+j)), i).Scan(&n)
			}()
		}
		for range 4 {
			if err := <-errs; err != nil && failure == nil {
				failure = err
			}
		}
	}
	t.Logf("default exec mode through PgBouncer: %v", failure)
	var pgErr *pgconn.PgError
	if !errors.As(failure, &pgErr) || (pgErr.Code != "42P05" && pgErr.Code != "26000") {
		t.Errorf("default exec mode through PgBouncer: %v, want 42P05 or 26000 (prepared statement clash)", failure)
	}
}
