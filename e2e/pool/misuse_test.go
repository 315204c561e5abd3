package pool

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	normpool "github.com/normkit/norm/pool"
)

// TestMisuseIsAnErrorNotAPanic hands *DB what a careless caller would: a
// nil ctx, a nil transaction function, a DB that was never opened. Each
// must come back as an error that says what was wrong.
func TestMisuseIsAnErrorNotAPanic(t *testing.T) {
	t.Parallel()
	d := cluster.NewDatabase(t)
	db := open(t, normpool.Config{ConnString: d.DSN()})
	var nilCtx context.Context //nolint:staticcheck // the misuse under test
	var zero normpool.DB
	var nilDB *normpool.DB

	calls := []struct {
		name string
		want string
		call func() error
	}{
		{"Exec with nil ctx", "nil context", func() error { _, err := db.Exec(nilCtx, "SELECT 1"); return err }},
		{"Query with nil ctx", "nil context", func() error { return readAll(db.Query(nilCtx, "SELECT 1")) }},
		{"QueryRow with nil ctx", "nil context", func() error { var n int; return db.QueryRow(nilCtx, "SELECT 1").Scan(&n) }},
		{"QueryRead with nil ctx", "nil context", func() error { return readAll(db.QueryRead(nilCtx, "SELECT 1")) }},
		{"SendBatch with nil ctx", "nil context", func() error {
			b := &pgx.Batch{}
			b.Queue("SELECT 1")
			return db.SendBatch(nilCtx, b).Close()
		}},
		{"CopyFrom with nil ctx", "nil context", func() error {
			_, err := db.CopyFrom(nilCtx, pgx.Identifier{"t"}, []string{"v"}, pgx.CopyFromRows(nil))
			return err
		}},
		{"Begin with nil ctx", "nil context", func() error { _, err := db.Begin(nilCtx); return err }},
		{"InTx with nil ctx", "nil context", func() error { return db.InTx(nilCtx, func(context.Context) error { return nil }) }},
		{"InTx with nil fn", "nil function", func() error { return db.InTx(context.Background(), nil) }},
		{"Health with nil ctx", "nil context", func() error { _, err := db.Health(nilCtx); return err }},
		{"Ping with nil ctx", "nil context", func() error { return db.Ping(nilCtx) }},
		{"Shutdown with nil ctx", "nil context", func() error { return db.Shutdown(nilCtx) }},
		{"zero DB Exec", "not opened", func() error { _, err := zero.Exec(context.Background(), "SELECT 1"); return err }},
		{"zero DB Query", "not opened", func() error { return readAll(zero.Query(context.Background(), "SELECT 1")) }},
		{"zero DB QueryRow", "not opened", func() error { var n int; return zero.QueryRow(context.Background(), "SELECT 1").Scan(&n) }},
		{"zero DB InTx", "not opened", func() error {
			return zero.InTx(context.Background(), func(context.Context) error { return nil })
		}},
		{"zero DB Begin", "not opened", func() error { _, err := zero.Begin(context.Background()); return err }},
		{"zero DB Health", "not opened", func() error { _, err := zero.Health(context.Background()); return err }},
		{"zero DB Ping", "not opened", func() error { return zero.Ping(context.Background()) }},
		{"zero DB Shutdown", "not opened", func() error { return zero.Shutdown(context.Background()) }},
		{"Acquire with nil ctx", "nil context", func() error { _, err := db.Acquire(nilCtx); return err }},
		{"zero DB Acquire", "not opened", func() error { _, err := zero.Acquire(context.Background()); return err }},
		{"nil DB Acquire", "not opened", func() error { _, err := nilDB.Acquire(context.Background()); return err }},
		{"nil DB Exec", "not opened", func() error { _, err := nilDB.Exec(context.Background(), "SELECT 1"); return err }},
		{"nil DB InTx", "not opened", func() error {
			return nilDB.InTx(context.Background(), func(context.Context) error { return nil })
		}},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			var err error
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Fatalf("panicked: %v", p)
					}
				}()
				err = c.call()
			}()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want one saying %q", err, c.want)
			}
			if !errors.Is(err, normpool.ErrMisuse) {
				t.Errorf("err = %v does not match pool.ErrMisuse", err)
			}
		})
	}
	// Misuse leaves a working DB working.
	if _, err := db.Exec(testCtx(t), "SELECT 1"); err != nil {
		t.Fatalf("after misuse: %v", err)
	}
	// The zero DB's other methods do not panic either.
	func() {
		defer func() {
			if p := recover(); p != nil {
				t.Fatalf("zero DB panicked: %v", p)
			}
		}()
		zero.Close()
		if zero.Primary() != nil || zero.Replica() != nil || len(zero.Replicas()) != 0 {
			t.Error("a DB that was never opened returned pools")
		}
		if zero.AfterCommit(context.Background(), func() {}) {
			t.Error("a DB that was never opened accepted an AfterCommit")
		}
	}()
}
