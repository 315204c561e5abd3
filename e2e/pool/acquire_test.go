package pool

import (
	"context"
	"errors"
	"testing"

	normpool "github.com/normkit/norm/pool"
)

// TestAcquireIsAlwaysThePrimarys: DB.Acquire hands out a connection of
// the primary whatever ctx asks for (a replica, a read-only transaction,
// the transaction ctx carries), idle and held by the caller alone: a
// session advisory lock, which DB refuses on its shared connections,
// works on it.
func TestAcquireIsAlwaysThePrimarys(t *testing.T) {
	t.Parallel()
	db, _ := openReplicated(t, cluster, "", normpool.Config{})
	ctx := testCtx(t)
	for _, tc := range []struct {
		name string
		run  func(fn func(ctx context.Context) error) error
	}{
		{"plain ctx", func(fn func(context.Context) error) error { return fn(ctx) }},
		{"UseReplica", func(fn func(context.Context) error) error { return fn(normpool.UseReplica(ctx)) }},
		{"inside a read-only InTx", func(fn func(context.Context) error) error {
			return db.InTx(ctx, fn, normpool.ReadOnly())
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run(func(ctx context.Context) error {
				c, err := db.Acquire(ctx)
				if err != nil {
					return err
				}
				defer c.Release()
				if onReplica(ctx, t, c, "SELECT pg_is_in_recovery()") {
					t.Error("Acquire gave a replica's connection")
				}
				if st := c.Conn().PgConn().TxStatus(); st != 'I' {
					t.Errorf("the acquired connection is in a transaction (status %q), want idle", st)
				}
				if _, err := c.Exec(ctx, "SELECT pg_advisory_lock(42)"); err != nil {
					return err
				}
				_, err = c.Exec(ctx, "SELECT pg_advisory_unlock(42)")
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
	if _, err := db.Exec(ctx, "SELECT pg_advisory_lock(42)"); !errors.Is(err, normpool.ErrSessionState) {
		t.Errorf("DB.Exec of a session lock = %v, want ErrSessionState (Acquire is the way)", err)
	}
}

// TestAcquireAfterShutdown fails with ErrClosed.
func TestAcquireAfterShutdown(t *testing.T) {
	t.Parallel()
	d := cluster.NewDatabase(t)
	db := open(t, normpool.Config{ConnString: d.DSN()})
	if err := db.Shutdown(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Acquire(testCtx(t)); !errors.Is(err, normpool.ErrClosed) {
		t.Fatalf("Acquire after Shutdown = %v, want ErrClosed", err)
	}
}
