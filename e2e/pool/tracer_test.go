package pool

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	normobserve "github.com/normkit/norm/observe"
	normpool "github.com/normkit/norm/pool"
)

// endpointRecorder is a tracer that implements normpool.EndpointTracer:
// the copies ForEndpoint hands out record each statement under their
// label, in the log they share with the original (which records under "").
type endpointRecorder struct {
	label string
	log   *statementLog
}

type statementLog struct {
	mu  sync.Mutex
	sql map[string][]string // label -> statements
}

var (
	_ pgx.QueryTracer         = (*endpointRecorder)(nil)
	_ normpool.EndpointTracer = (*endpointRecorder)(nil)
)

func newEndpointRecorder() *endpointRecorder {
	return &endpointRecorder{log: &statementLog{sql: map[string][]string{}}}
}

func (r *endpointRecorder) ForEndpoint(endpoint string) pgx.QueryTracer {
	return &endpointRecorder{label: endpoint, log: r.log}
}

func (r *endpointRecorder) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	r.log.mu.Lock()
	defer r.log.mu.Unlock()
	r.log.sql[r.label] = append(r.log.sql[r.label], data.SQL)
	return ctx
}

func (r *endpointRecorder) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// labelsOf returns the labels under which a statement containing marker
// was recorded.
func (r *endpointRecorder) labelsOf(marker string) []string {
	r.log.mu.Lock()
	defer r.log.mu.Unlock()
	var labels []string
	for label, stmts := range r.log.sql {
		if slices.ContainsFunc(stmts, func(s string) bool { return strings.Contains(s, marker) }) {
			labels = append(labels, label)
		}
	}
	slices.Sort(labels)
	return labels
}

func TestTracerPerEndpoint(t *testing.T) {
	t.Parallel()
	rec := newEndpointRecorder()
	db, _ := openReplicated(t, cluster, "CREATE TABLE traced (v int)", normpool.Config{Tracer: rec,
		// Routing by statement, not read-your-writes (ryw_test.go):
		// reads right after this DB wrote may go to the replica.
		AllowStaleReads: true,
	})
	ctx := testCtx(t)
	tests := []struct {
		name        string
		marker      string // a comment that tells the statement apart in the log
		run         func(sql string) (bool, error)
		wantReplica bool
	}{
		{"routed read", "/* read */", func(sql string) (bool, error) {
			var standby bool
			err := db.QueryRow(ctx, "SELECT pg_is_in_recovery() "+sql).Scan(&standby)
			return standby, err
		}, true},
		{"read forced to the primary", "/* primary read */", func(sql string) (bool, error) {
			var standby bool
			err := db.QueryRow(normpool.UsePrimary(ctx), "SELECT pg_is_in_recovery() "+sql).Scan(&standby)
			return standby, err
		}, false},
		{"write", "/* write */", func(sql string) (bool, error) {
			var standby bool
			err := db.QueryRow(ctx, "INSERT INTO traced VALUES (1) RETURNING pg_is_in_recovery() "+sql).Scan(&standby)
			return standby, err
		}, false},
		{"read-only transaction", "/* read-only tx */", func(sql string) (bool, error) {
			var standby bool
			err := db.InTx(ctx, func(ctx context.Context) error {
				return db.QueryRow(ctx, "SELECT pg_is_in_recovery() "+sql).Scan(&standby)
			}, normpool.ReadOnly())
			return standby, err
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			standby, err := tt.run(tt.marker)
			if err != nil {
				t.Fatal(err)
			}
			if standby != tt.wantReplica {
				t.Fatalf("ran with pg_is_in_recovery() = %v, want %v", standby, tt.wantReplica)
			}
			want := []string{normpool.EndpointPrimary}
			if tt.wantReplica {
				want = []string{normpool.EndpointReplica}
			}
			if got := rec.labelsOf(tt.marker); !slices.Equal(got, want) {
				t.Errorf("statement recorded under %q, want %q", got, want)
			}
		})
	}
}

// TestObserveTracerPerEndpoint wires observe's tracer into pool.Config:
// pool asks it for a copy per server, so every event carries the role of
// the server that ran the call.
func TestObserveTracerPerEndpoint(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	endpoints := map[string][]string{} // normalised SQL -> endpoints of its query events
	rec := normobserve.ObserverFunc(func(_ context.Context, e *normobserve.Event) {
		if e.Kind != normobserve.KindQuery || e.Statement == nil {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		endpoints[e.Statement.SQL] = append(endpoints[e.Statement.SQL], e.Endpoint)
	})
	tracer := normobserve.New(normobserve.Config{Observers: []normobserve.Observer{rec}})
	db, _ := openReplicated(t, cluster, "CREATE TABLE observed (v int)", normpool.Config{Tracer: tracer,
		// Routing by statement, not read-your-writes (ryw_test.go):
		// reads right after this DB wrote may go to the replica.
		AllowStaleReads: true,
	})
	ctx := testCtx(t)
	const (
		write = "INSERT INTO observed VALUES (1) RETURNING pg_is_in_recovery()"
		read  = "SELECT pg_is_in_recovery() AS routed_read"
	)
	for sql, wantStandby := range map[string]bool{write: false, read: true} {
		var standby bool
		if err := db.QueryRow(ctx, sql).Scan(&standby); err != nil {
			t.Fatal(err)
		}
		if standby != wantStandby {
			t.Fatalf("%s ran with pg_is_in_recovery() = %v", sql, standby)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if got := endpoints[normobserve.Normalize(write)]; !slices.Equal(got, []string{normpool.EndpointPrimary}) {
		t.Errorf("write events labeled %q, want primary", got)
	}
	if got := endpoints[normobserve.Normalize(read)]; !slices.Equal(got, []string{normpool.EndpointReplica}) {
		t.Errorf("read events labeled %q, want replica", got)
	}
}
