package otel_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/normkit/norm/observe"
	"github.com/normkit/norm/observe/otel"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// query runs the tracer's query hooks around fn, as pgx does.
func query(ctx context.Context, tr *observe.Tracer, sql string, args []any, fn func(ctx context.Context), err error) {
	ctx = tr.TraceQueryStart(ctx, nil, pgx.TraceQueryStartData{SQL: sql, Args: args})
	fn(ctx)
	tr.TraceQueryEnd(ctx, nil, pgx.TraceQueryEndData{CommandTag: pgconn.NewCommandTag("SELECT 1"), Err: err})
}

func TestSpanLivesDuringTheCall(t *testing.T) {
	t.Parallel()
	rec, tp, o := setupProvider(otel.Config{})
	tr := observe.New(observe.Config{Observers: []observe.Observer{o}})
	parentCtx, parent := tp.Tracer("test").Start(context.Background(), "handler")
	var inside trace.SpanContext
	query(parentCtx, tr, "SELECT * FROM users WHERE id = $1", []any{1}, func(ctx context.Context) {
		inside = trace.SpanContextFromContext(ctx)
		if len(rec.Ended()) != 0 {
			t.Error("span ended before the call did")
		}
		// A prepare made for the query, as pgx's statement cache does.
		pctx := tr.TracePrepareStart(ctx, nil, pgx.TracePrepareStartData{Name: "stmtcache_1", SQL: "SELECT * FROM users WHERE id = $1"})
		tr.TracePrepareEnd(pctx, nil, pgx.TracePrepareEndData{})
	}, nil)
	parent.End()
	spans := rec.Ended()
	if len(spans) != 3 {
		t.Fatalf("got %d spans, want prepare, query, handler", len(spans))
	}
	prep, q := spans[0], spans[1]
	if q.Name() != "SELECT" || prep.Name() != "PREPARE" {
		t.Fatalf("spans %q, %q", prep.Name(), q.Name())
	}
	if q.SpanContext().SpanID() != inside.SpanID() {
		t.Error("the call's context does not carry the query span")
	}
	if q.Parent().SpanID() != parent.SpanContext().SpanID() {
		t.Error("query span is not a child of the handler span")
	}
	if prep.Parent().SpanID() != q.SpanContext().SpanID() {
		t.Error("prepare span is not a child of the query span")
	}
	if q.EndTime().Before(prep.EndTime()) || q.StartTime().After(prep.StartTime()) {
		t.Errorf("query %v..%v does not enclose prepare %v..%v", q.StartTime(), q.EndTime(), prep.StartTime(), prep.EndTime())
	}
}

func TestLiveSpanRecordsError(t *testing.T) {
	t.Parallel()
	rec, o := setup(otel.Config{})
	tr := observe.New(observe.Config{Observers: []observe.Observer{o}})
	pgErr := &pgconn.PgError{Code: "23505", Message: "duplicate key value violates unique constraint"}
	query(context.Background(), tr, "INSERT INTO users (email) VALUES ($1)", []any{"x"}, func(context.Context) {}, pgErr)
	s := rec.Ended()[0]
	if s.Status().Code != codes.Error || attrs(s)["db.response.status_code"].AsString() != "23505" {
		t.Errorf("status %+v, attributes %v", s.Status(), attrs(s))
	}
}

func TestStatementsDoNotShareCachedAttributes(t *testing.T) {
	t.Parallel()
	rec, o := setup(otel.Config{})
	tr := observe.New(observe.Config{Observers: []observe.Observer{o}})
	sqls := []string{"SELECT a FROM t", "DELETE FROM t WHERE id = $1", "SELECT a FROM t", "DELETE FROM t WHERE id = $1"}
	for _, sql := range sqls {
		query(context.Background(), tr, sql, nil, func(context.Context) {}, nil)
	}
	for _, ep := range []string{"primary", "replica"} {
		query(observe.WithEndpoint(context.Background(), ep), tr, "SELECT a FROM t", nil, func(context.Context) {}, nil)
	}
	spans := rec.Ended()
	for i, want := range []string{"SELECT a FROM t", "DELETE FROM t WHERE id = $1", "SELECT a FROM t", "DELETE FROM t WHERE id = $1", "SELECT a FROM t", "SELECT a FROM t"} {
		if got := attrs(spans[i])["db.query.text"].AsString(); got != want {
			t.Errorf("span %d: db.query.text = %q, want %q", i, got, want)
		}
	}
	if attrs(spans[4])["db.norm.endpoint"].AsString() != "primary" || attrs(spans[5])["db.norm.endpoint"].AsString() != "replica" {
		t.Errorf("endpoints %v, %v", attrs(spans[4])["db.norm.endpoint"], attrs(spans[5])["db.norm.endpoint"])
	}
}

// Two span observers on one tracer (say, two providers) each end the span
// they opened, not the innermost one.
func TestTwoObserversEachEndTheirSpan(t *testing.T) {
	t.Parallel()
	rec1, o1 := setup(otel.Config{})
	rec2, o2 := setup(otel.Config{})
	tr := observe.New(observe.Config{Observers: []observe.Observer{o1, o2}})
	query(context.Background(), tr, "SELECT 1", nil, func(context.Context) {}, nil)
	for i, rec := range []*tracetest.SpanRecorder{rec1, rec2} {
		if len(rec.Ended()) != 1 || len(rec.Started()) != 1 {
			t.Errorf("observer %d: %d started, %d ended, want 1 and 1", i+1, len(rec.Started()), len(rec.Ended()))
		}
	}
}

// TestSpansBehindDeferred: behind observe.Deferred, spans are recorded at
// the flush with the call's times and parent, never in the call's context;
// a failed call's span is recorded at once.
func TestSpansBehindDeferred(t *testing.T) {
	t.Parallel()
	rec, tp, o := setupProvider(otel.Config{Legacy: true})
	d := observe.NewDeferred(observe.DeferredConfig{Observers: []observe.Observer{o}, FlushInterval: time.Hour})
	tr := observe.New(observe.Config{Observers: []observe.Observer{d}})
	parentCtx, parent := tp.Tracer("test").Start(context.Background(), "handler")
	args := []any{"secret"}
	begin := time.Now()
	query(parentCtx, tr, "SELECT * FROM users WHERE email = $1", args, func(ctx context.Context) {
		if trace.SpanContextFromContext(ctx).SpanID() != parent.SpanContext().SpanID() {
			t.Error("a deferred observer put a span in the call's context")
		}
		time.Sleep(2 * time.Millisecond)
	}, nil)
	if n := len(rec.Ended()); n != 0 {
		t.Fatalf("%d spans recorded before the flush", n)
	}
	pgErr := &pgconn.PgError{Code: "40001", Message: "could not serialize access"}
	query(context.Background(), tr, "UPDATE t SET a = $1", []any{1}, func(context.Context) {}, pgErr)
	if n := len(rec.Ended()); n != 1 {
		t.Fatalf("%d spans recorded after a failed call, want its own at once", n)
	}
	if err := d.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	spans := rec.Ended()
	if len(spans) != 2 {
		t.Fatalf("Close recorded %d spans, want 2 in all", len(spans))
	}
	u, q := spans[0], spans[1]
	if q.Parent().SpanID() != parent.SpanContext().SpanID() || u.Parent().IsValid() {
		t.Errorf("parents: %v, %v", q.Parent().SpanID(), u.Parent().SpanID())
	}
	if q.StartTime().Before(begin) || q.EndTime().Sub(q.StartTime()) < 2*time.Millisecond {
		t.Errorf("query span %v..%v, call began %v and took ≥2ms", q.StartTime(), q.EndTime(), begin)
	}
	if attrs(q)["db.statement"].AsString() != "SELECT * FROM users WHERE email = $1" {
		t.Errorf("attributes %v", attrs(q))
	}
	if u.Status().Code != codes.Error || attrs(u)["error.type"].AsString() != "40001" {
		t.Errorf("update span status %+v attributes %v", u.Status(), attrs(u))
	}
	if args[0] != "secret" {
		t.Error("the observer changed the caller's arguments")
	}
	parent.End()
}
