package pool

import (
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	normpool "github.com/normkit/norm/pool"
)

// TestHostileValueNeverOpensTheBreaker sends values PostgreSQL refuses at
// the protocol level (a NUL byte in text, which the simple protocol
// rejects with 08P01 "invalid message format") — the statement's own
// fault, which must never open the endpoint's breaker for every other
// caller. Directly and through PgBouncer.
func TestHostileValueNeverOpensTheBreaker(t *testing.T) {
	t.Parallel()
	d := cluster.NewDatabase(t)
	for _, target := range []struct{ name, dsn string }{{"direct", d.DSN()}, {"pgbouncer", d.BouncerDSN(t)}} {
		t.Run(target.name, func(t *testing.T) {
			var log stateLog
			db := open(t, normpool.Config{
				ConnString:    target.dsn,
				QueryExecMode: pgx.QueryExecModeSimpleProtocol,
				Breaker:       normpool.BreakerConfig{FailureThreshold: 3, OnStateChange: log.record},
			})
			ctx := testCtx(t)
			for i := range 6 {
				_, err := db.Exec(ctx, "SELECT $1::text", "a\x00b")
				var pgErr *pgconn.PgError
				if !errors.As(err, &pgErr) {
					t.Fatalf("exec %d with a NUL byte: %v, want the server's error", i, err)
				}
			}
			if got := log.states(); len(got) != 0 {
				t.Fatalf("breaker changed state on a statement's own error: %v", got)
			}
			if _, err := db.Exec(ctx, "SELECT 1"); err != nil {
				t.Fatalf("another caller after the hostile values: %v", err)
			}
			rep, _ := db.Health(ctx)
			if b := rep.Endpoints[0].Breaker; b != normpool.BreakerClosed {
				t.Fatalf("breaker %s after hostile values, want closed", b)
			}
		})
	}
}
