package observe

import (
	"context"
	"io"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	normobserve "github.com/normkit/norm/observe"
	"github.com/rs/zerolog"
)

// TestCallPathAllocations: with a logger at info and expvar metrics on the
// call path, the hooks of each kind of pooled call, given a real
// connection, allocate once: the acquire's context (it has no connection
// yet). The event of the query, batch or COPY lives in the connection.
// The hooks are called directly, so pgx's own allocations, which drift
// over a run, do not blur the count. Not parallel: AllocsPerRun counts
// every goroutine's allocations.
func TestCallPathAllocations(t *testing.T) {
	ctx := context.Background()
	p := newPool(t, setupDB(t), nil)
	pc, err := p.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Release()
	conn := pc.Conn()
	tr := normobserve.New(normobserve.Config{Endpoint: "primary", Observers: []normobserve.Observer{
		normobserve.NewLogger(zerolog.New(io.Discard).Level(zerolog.InfoLevel), normobserve.LogConfig{}),
		normobserve.MetricsObserver(&normobserve.Expvar{}),
	}})
	args := []any{int64(42)}
	batch := &pgx.Batch{}
	batch.Queue("SELECT id FROM users WHERE id = $1", int64(1))
	calls := []struct {
		name string
		call func(ctx context.Context)
	}{
		{"query", func(ctx context.Context) {
			qctx := tr.TraceQueryStart(ctx, conn, pgx.TraceQueryStartData{SQL: "UPDATE users SET balance = 0 WHERE id = $1", Args: args})
			tr.TraceQueryEnd(qctx, conn, pgx.TraceQueryEndData{CommandTag: pgconn.NewCommandTag("UPDATE 1")})
		}},
		{"batch", func(ctx context.Context) {
			bctx := tr.TraceBatchStart(ctx, conn, pgx.TraceBatchStartData{Batch: batch})
			tr.TraceBatchQuery(bctx, conn, pgx.TraceBatchQueryData{SQL: "SELECT id FROM users WHERE id = $1", CommandTag: pgconn.NewCommandTag("SELECT 1")})
			tr.TraceBatchEnd(bctx, conn, pgx.TraceBatchEndData{})
		}},
		{"copy", func(ctx context.Context) {
			cctx := tr.TraceCopyFromStart(ctx, conn, pgx.TraceCopyFromStartData{TableName: pgx.Identifier{"users"}, ColumnNames: []string{"id"}})
			tr.TraceCopyFromEnd(cctx, conn, pgx.TraceCopyFromEndData{CommandTag: pgconn.NewCommandTag("COPY 10")})
		}},
	}
	for _, c := range calls {
		allocs := testing.AllocsPerRun(1000, func() {
			actx := tr.TraceAcquireStart(ctx, p, pgxpool.TraceAcquireStartData{})
			tr.TraceAcquireEnd(actx, p, pgxpool.TraceAcquireEndData{Conn: conn})
			c.call(ctx)
			tr.TraceRelease(p, pgxpool.TraceReleaseData{Conn: conn})
		})
		if allocs != 1 {
			t.Errorf("the hooks of a pooled %s allocate %v times, want 1 (the acquire's context)", c.name, allocs)
		}
	}
}
