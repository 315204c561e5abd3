package observe

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) Now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

// recorder keeps a copy of every event it observes.
type recorder struct {
	mu     sync.Mutex
	events []Event
	ctxs   []context.Context
}

func (r *recorder) Observe(ctx context.Context, e *Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, *e)
	r.ctxs = append(r.ctxs, ctx)
}

func newTestTracer(endpoint string) (*Tracer, *recorder, *fakeClock) {
	rec := &recorder{}
	clk := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	return New(Config{Observers: []Observer{rec}, Endpoint: endpoint, Now: clk.Now}), rec, clk
}

var (
	errBoom          = errors.New("boom")
	errNoRowsWrapped = fmt.Errorf("find: %w", pgx.ErrNoRows)
)

func TestTracerEveryPathOneEvent(t *testing.T) {
	t.Parallel()
	pgErr := &pgconn.PgError{Code: "23505", Message: "duplicate"}
	tests := []struct {
		name string
		run  func(ctx context.Context, tr *Tracer, clk *fakeClock)
		want Event // compared on Kind, Duration, Rows, Queries, Err, Table, Name, Database, SQL
		sql  string
	}{
		{"exec", func(ctx context.Context, tr *Tracer, clk *fakeClock) {
			ctx = tr.TraceQueryStart(ctx, nil, pgx.TraceQueryStartData{SQL: "UPDATE t SET a = $1", Args: []any{"x"}})
			clk.advance(3 * time.Millisecond)
			tr.TraceQueryEnd(ctx, nil, pgx.TraceQueryEndData{CommandTag: pgconn.NewCommandTag("UPDATE 4")})
		}, Event{Kind: KindQuery, Duration: 3 * time.Millisecond, Rows: 4}, "UPDATE t SET a = $1"},
		{"query error", func(ctx context.Context, tr *Tracer, clk *fakeClock) {
			ctx = tr.TraceQueryStart(ctx, nil, pgx.TraceQueryStartData{SQL: "INSERT INTO t VALUES ($1)"})
			clk.advance(time.Millisecond)
			tr.TraceQueryEnd(ctx, nil, pgx.TraceQueryEndData{Err: pgErr})
		}, Event{Kind: KindQuery, Duration: time.Millisecond, Err: pgErr}, "INSERT INTO t VALUES ($1)"},
		{"batch", func(ctx context.Context, tr *Tracer, clk *fakeClock) {
			b := &pgx.Batch{}
			b.Queue("INSERT INTO t VALUES (1)")
			b.Queue("INSERT INTO t VALUES (2), (3)")
			ctx = tr.TraceBatchStart(ctx, nil, pgx.TraceBatchStartData{Batch: b})
			clk.advance(2 * time.Millisecond)
			tr.TraceBatchQuery(ctx, nil, pgx.TraceBatchQueryData{SQL: "INSERT INTO t VALUES (1)", CommandTag: pgconn.NewCommandTag("INSERT 0 1")})
			tr.TraceBatchQuery(ctx, nil, pgx.TraceBatchQueryData{SQL: "INSERT INTO t VALUES (2), (3)", CommandTag: pgconn.NewCommandTag("INSERT 0 2")})
			clk.advance(time.Millisecond)
			tr.TraceBatchEnd(ctx, nil, pgx.TraceBatchEndData{})
		}, Event{Kind: KindBatch, Duration: 3 * time.Millisecond, Rows: 3, Queries: 2}, "INSERT INTO t VALUES (?)"},
		{"batch first error wins", func(ctx context.Context, tr *Tracer, clk *fakeClock) {
			ctx = tr.TraceBatchStart(ctx, nil, pgx.TraceBatchStartData{Batch: &pgx.Batch{}})
			clk.advance(time.Millisecond)
			tr.TraceBatchQuery(ctx, nil, pgx.TraceBatchQueryData{SQL: "SELECT 1", Err: pgErr})
			tr.TraceBatchQuery(ctx, nil, pgx.TraceBatchQueryData{SQL: "SELECT 2", Err: errBoom})
			tr.TraceBatchEnd(ctx, nil, pgx.TraceBatchEndData{Err: errBoom})
		}, Event{Kind: KindBatch, Duration: time.Millisecond, Err: pgErr}, "SELECT ?"},
		{"copy", func(ctx context.Context, tr *Tracer, clk *fakeClock) {
			ctx = tr.TraceCopyFromStart(ctx, nil, pgx.TraceCopyFromStartData{TableName: pgx.Identifier{"public", "users"}})
			clk.advance(5 * time.Millisecond)
			tr.TraceCopyFromEnd(ctx, nil, pgx.TraceCopyFromEndData{CommandTag: pgconn.NewCommandTag("COPY 100")})
		}, Event{Kind: KindCopy, Duration: 5 * time.Millisecond, Rows: 100, Table: `"public"."users"`}, ""},
		{"prepare", func(ctx context.Context, tr *Tracer, clk *fakeClock) {
			ctx = tr.TracePrepareStart(ctx, nil, pgx.TracePrepareStartData{Name: "q1", SQL: "SELECT $1::int"})
			clk.advance(time.Millisecond)
			tr.TracePrepareEnd(ctx, nil, pgx.TracePrepareEndData{})
		}, Event{Kind: KindPrepare, Duration: time.Millisecond, Name: "q1"}, "SELECT $1::int"},
		{"connect", func(ctx context.Context, tr *Tracer, clk *fakeClock) {
			cfg, _ := pgx.ParseConfig("postgres://u:pw-secret@db.example:6543/app")
			ctx = tr.TraceConnectStart(ctx, pgx.TraceConnectStartData{ConnConfig: cfg})
			clk.advance(7 * time.Millisecond)
			tr.TraceConnectEnd(ctx, pgx.TraceConnectEndData{Err: errBoom})
		}, Event{Kind: KindConnect, Duration: 7 * time.Millisecond, Err: errBoom, Database: "app", Host: "db.example", Port: 6543}, ""},
		{"acquire", func(ctx context.Context, tr *Tracer, clk *fakeClock) {
			ctx = tr.TraceAcquireStart(ctx, nil, pgxpool.TraceAcquireStartData{})
			clk.advance(9 * time.Millisecond)
			tr.TraceAcquireEnd(ctx, nil, pgxpool.TraceAcquireEndData{})
		}, Event{Kind: KindAcquire, Duration: 9 * time.Millisecond}, ""},
		{"release", func(_ context.Context, tr *Tracer, _ *fakeClock) {
			tr.TraceRelease(nil, pgxpool.TraceReleaseData{})
		}, Event{Kind: KindRelease}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tr, rec, clk := newTestTracer("primary")
			tt.run(context.Background(), tr, clk)
			if len(rec.events) != 1 {
				t.Fatalf("got %d events, want exactly 1: %+v", len(rec.events), rec.events)
			}
			got, want := rec.events[0], tt.want
			if got.Kind != want.Kind || got.Duration != want.Duration || got.Rows != want.Rows ||
				got.Queries != want.Queries || !errors.Is(got.Err, want.Err) || (want.Err == nil) != (got.Err == nil) ||
				got.Table != want.Table || got.Name != want.Name || got.Database != want.Database ||
				got.Host != want.Host || got.Port != want.Port {
				t.Errorf("event = %+v\nwant    %+v", got, want)
			}
			if got.Endpoint != "primary" {
				t.Errorf("endpoint = %q, want the static primary", got.Endpoint)
			}
			if tt.sql != "" && (got.Statement == nil || got.Statement.SQL != tt.sql) {
				t.Errorf("statement = %+v, want SQL %q", got.Statement, tt.sql)
			}
		})
	}
}

func TestTracerPrepareInsideQuery(t *testing.T) {
	t.Parallel()
	tr, rec, clk := newTestTracer("")
	qctx := tr.TraceQueryStart(context.Background(), nil, pgx.TraceQueryStartData{SQL: "SELECT $1"})
	clk.advance(time.Millisecond)
	pctx := tr.TracePrepareStart(qctx, nil, pgx.TracePrepareStartData{Name: "s", SQL: "SELECT $1"})
	clk.advance(2 * time.Millisecond)
	tr.TracePrepareEnd(pctx, nil, pgx.TracePrepareEndData{})
	clk.advance(4 * time.Millisecond)
	tr.TraceQueryEnd(qctx, nil, pgx.TraceQueryEndData{CommandTag: pgconn.NewCommandTag("SELECT 1")})
	if len(rec.events) != 2 {
		t.Fatalf("got %d events, want 2", len(rec.events))
	}
	if p, q := rec.events[0], rec.events[1]; p.Kind != KindPrepare || p.Duration != 2*time.Millisecond ||
		q.Kind != KindQuery || q.Duration != 7*time.Millisecond || q.Rows != 1 {
		t.Errorf("events = %+v", rec.events)
	}
}

func TestTracerEndpointFromContext(t *testing.T) {
	t.Parallel()
	tr, rec, _ := newTestTracer("primary")
	ctx := WithEndpoint(context.Background(), "replica")
	ctx = tr.TraceQueryStart(ctx, nil, pgx.TraceQueryStartData{SQL: "SELECT 1"})
	tr.TraceQueryEnd(ctx, nil, pgx.TraceQueryEndData{})
	if got := rec.events[0].Endpoint; got != "replica" {
		t.Errorf("endpoint = %q, want replica from ctx", got)
	}
}

func TestTracerEndWithoutStartIgnored(t *testing.T) {
	t.Parallel()
	tr, rec, _ := newTestTracer("")
	tr.TraceQueryEnd(context.Background(), nil, pgx.TraceQueryEndData{})
	tr.TraceBatchQuery(context.Background(), nil, pgx.TraceBatchQueryData{SQL: "SELECT 1"})
	tr.TraceBatchEnd(context.Background(), nil, pgx.TraceBatchEndData{})
	tr.TraceCopyFromEnd(context.Background(), nil, pgx.TraceCopyFromEndData{})
	if len(rec.events) != 0 {
		t.Errorf("ends without a start produced %d events", len(rec.events))
	}
}

func TestTracerContextKeepsParent(t *testing.T) {
	t.Parallel()
	tr, _, _ := newTestTracer("")
	type key struct{}
	parent, cancel := context.WithCancel(context.WithValue(context.Background(), key{}, "v"))
	ctx := tr.TraceQueryStart(parent, nil, pgx.TraceQueryStartData{SQL: "SELECT 1"})
	if ctx.Value(key{}) != "v" {
		t.Error("parent value lost")
	}
	cancel()
	select {
	case <-ctx.Done():
	default:
		t.Error("cancellation of the parent not visible")
	}
	if !errors.Is(ctx.Err(), context.Canceled) {
		t.Errorf("ctx.Err() = %v", ctx.Err())
	}
}

func TestEventOutcome(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err            error
		outcome, class string
		sqlstate       string
	}{
		{nil, OutcomeOK, "", ""},
		{pgx.ErrNoRows, OutcomeNoRows, "", ""},
		{context.Canceled, OutcomeCanceled, "", ""},
		{&pgconn.PgError{Code: "40001"}, OutcomeError, "40", "40001"},
		{context.DeadlineExceeded, OutcomeError, "client", ""},
	}
	for _, tt := range tests {
		e := Event{Kind: KindQuery, Err: tt.err}
		if e.Outcome() != tt.outcome || e.ErrorClass() != tt.class || e.SQLState() != tt.sqlstate {
			t.Errorf("%v: outcome %q class %q sqlstate %q", tt.err, e.Outcome(), e.ErrorClass(), e.SQLState())
		}
	}
}

func TestFields(t *testing.T) {
	t.Parallel()
	ctx := WithCorrelationID(context.Background(), "req-1")
	child := WithFields(ctx, Field{Key: "user", Value: 7}, Field{Key: "tenant", Value: "acme"})
	got := Fields(child)
	if len(got) != 3 || got[0].Key != CorrelationIDKey || got[0].Value != "req-1" || got[1].Key != "user" || got[2].Key != "tenant" {
		t.Errorf("Fields = %+v", got)
	}
	if n := len(Fields(ctx)); n != 1 {
		t.Errorf("parent gained fields from its child: %d", n)
	}
	if WithFields(ctx) != ctx {
		t.Error("WithFields with no fields should return ctx unchanged")
	}
}

func TestTracerSkipsKindsNobodyObserves(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	onlyQueries := filtered{rec, kindSet{KindQuery: true}}
	tr := New(Config{Observers: []Observer{onlyQueries}})
	qctx := tr.TraceQueryStart(context.Background(), nil, pgx.TraceQueryStartData{SQL: "SELECT 1"})
	pctx := tr.TracePrepareStart(qctx, nil, pgx.TracePrepareStartData{SQL: "SELECT 1"})
	if pctx != qctx {
		t.Error("prepare start allocated a context though nobody observes prepares")
	}
	tr.TracePrepareEnd(pctx, nil, pgx.TracePrepareEndData{})
	if len(rec.events) != 0 {
		t.Fatalf("prepare end ended the enclosing query: %+v", rec.events)
	}
	tr.TraceQueryEnd(qctx, nil, pgx.TraceQueryEndData{CommandTag: pgconn.NewCommandTag("SELECT 1")})
	tr.TraceRelease(nil, pgxpool.TraceReleaseData{})
	if len(rec.events) != 1 || rec.events[0].Kind != KindQuery || rec.events[0].Rows != 1 {
		t.Errorf("events = %+v, want the query only", rec.events)
	}
}

type kindSet map[Kind]bool

func (k kindSet) Observes(kind Kind) bool { return k[kind] }

func TestTracerForEndpoint(t *testing.T) {
	t.Parallel()
	tr, rec, _ := newTestTracer("primary")
	replica, ok := tr.ForEndpoint("replica").(*Tracer)
	if !ok {
		t.Fatalf("ForEndpoint returned %T, want *Tracer", tr.ForEndpoint("replica"))
	}
	ctx := replica.TraceQueryStart(context.Background(), nil, pgx.TraceQueryStartData{SQL: "SELECT 1"})
	replica.TraceQueryEnd(ctx, nil, pgx.TraceQueryEndData{})
	ctx = tr.TraceQueryStart(context.Background(), nil, pgx.TraceQueryStartData{SQL: "SELECT 1"})
	tr.TraceQueryEnd(ctx, nil, pgx.TraceQueryEndData{})
	if len(rec.events) != 2 || rec.events[0].Endpoint != "replica" || rec.events[1].Endpoint != "primary" {
		t.Fatalf("events = %+v", rec.events)
	}
	if rec.events[0].Statement != rec.events[1].Statement {
		t.Error("the copy does not share the statement cache")
	}
}

// starter is a StartObserver that marks the call's context and records
// what it saw at the start and at the end.
type starter struct {
	recorder
	starts []Event
	ptrs   []*Event
}

type markKey struct{}

func (s *starter) ObserveStart(ctx context.Context, e *Event) context.Context {
	s.starts = append(s.starts, *e)
	s.ptrs = append(s.ptrs, e)
	return context.WithValue(ctx, markKey{}, e.Kind)
}

func TestStartObserver(t *testing.T) {
	t.Parallel()
	s := &starter{}
	tr := New(Config{Observers: []Observer{s}, Endpoint: "primary"})
	ctx := tr.TraceQueryStart(context.Background(), nil, pgx.TraceQueryStartData{SQL: "SELECT a FROM t WHERE id = $1", Args: []any{7}})
	if ctx.Value(markKey{}) != KindQuery {
		t.Error("the context pgx carries is not the one ObserveStart returned")
	}
	if len(s.events) != 0 {
		t.Error("Observe ran at the start")
	}
	tr.TraceQueryEnd(ctx, nil, pgx.TraceQueryEndData{})
	tr.TraceRelease(nil, pgxpool.TraceReleaseData{})
	if len(s.starts) != 1 {
		t.Fatalf("ObserveStart ran %d times, want once (and never for a release)", len(s.starts))
	}
	st := s.starts[0]
	if st.Kind != KindQuery || st.Statement == nil || st.Statement.SQL != "SELECT a FROM t WHERE id = $1" ||
		len(st.Args) != 1 || st.Endpoint != "primary" || st.Start.IsZero() {
		t.Errorf("start event = %+v", st)
	}
	if len(s.events) != 2 || s.events[0].Kind != KindQuery || s.events[1].Kind != KindRelease {
		t.Fatalf("end events = %+v", s.events)
	}
	if s.ctxs[0].Value(markKey{}) != KindQuery {
		t.Error("Observe's context is not derived from ObserveStart's")
	}
	if got, ok := s.ctxs[0].Value(callKey{}).(*callCtx); !ok || &got.ev != s.ptrs[0] {
		t.Error("ObserveStart and Observe saw different events")
	}
}
