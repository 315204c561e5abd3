package observe

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rs/zerolog"
)

type ctxKey struct{}

// filtered is an Observer that observes the kinds of its KindFilter.
type filtered struct {
	Observer
	KindFilter
}

// deferredTracer is a tracer on a fake clock whose only observer is a
// Deferred handing events to a recorder, flushed only by Close unless
// cfg says otherwise.
func deferredTracer(cfg DeferredConfig) (*Tracer, *Deferred, *recorder, *fakeClock) {
	rec := &recorder{}
	cfg.Observers = append(cfg.Observers, rec)
	if cfg.FlushInterval == 0 {
		cfg.FlushInterval = time.Hour
	}
	d := NewDeferred(cfg)
	clk := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	return New(Config{Observers: []Observer{d}, Now: clk.Now}), d, rec, clk
}

// runQuery traces one query that takes took and ends with err.
func runQuery(ctx context.Context, tr *Tracer, clk *fakeClock, sql string, args []any, took time.Duration, err error) {
	ctx = tr.TraceQueryStart(ctx, nil, pgx.TraceQueryStartData{SQL: sql, Args: args})
	clk.advance(took)
	tr.TraceQueryEnd(ctx, nil, pgx.TraceQueryEndData{CommandTag: pgconn.NewCommandTag("SELECT 1"), Err: err})
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.events)
}

func TestDeferredHandsOnAtTheFlush(t *testing.T) {
	t.Parallel()
	tr, d, rec, clk := deferredTracer(DeferredConfig{})
	ctx := context.WithValue(context.Background(), ctxKey{}, "request-7")
	args := []any{"secret"}
	start := clk.Now()
	runQuery(ctx, tr, clk, "SELECT a FROM t WHERE b = $1", args, 3*time.Millisecond, nil)
	runQuery(ctx, tr, clk, "SELECT c FROM t WHERE b = $1", args, time.Millisecond, errNoRowsWrapped)
	if n := rec.count(); n != 0 {
		t.Fatalf("%d events handed on before the flush", n)
	}
	if err := d.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(rec.events) != 2 {
		t.Fatalf("Close handed on %d events, want 2", len(rec.events))
	}
	e := rec.events[0]
	if e.Statement.SQL != "SELECT a FROM t WHERE b = $1" || !e.Start.Equal(start) || e.Duration != 3*time.Millisecond || e.Rows != 1 {
		t.Errorf("first event: %+v", e)
	}
	if e.Args != nil || e.Conn != nil || e.Pool != nil {
		t.Errorf("a buffered event kept Args %v, Conn %v, Pool %v", e.Args, e.Conn, e.Pool)
	}
	if rec.ctxs[0].Value(ctxKey{}) != "request-7" {
		t.Error("the observer did not get the call's context")
	}
	if rec.events[1].Statement.SQL != "SELECT c FROM t WHERE b = $1" || rec.events[1].Outcome() != OutcomeNoRows {
		t.Errorf("second event (no rows, expected, so deferred): %+v", rec.events[1])
	}
	if args[0] != "secret" {
		t.Error("the caller's arguments changed")
	}
}

func TestDeferredImmediateEvents(t *testing.T) {
	t.Parallel()
	pgErr := &pgconn.PgError{Code: "23505"}
	tests := []struct {
		name      string
		cfg       DeferredConfig
		took      time.Duration
		err       error
		immediate bool
	}{
		{"success", DeferredConfig{}, time.Millisecond, nil, false},
		{"failure", DeferredConfig{}, time.Millisecond, pgErr, true},
		{"slow", DeferredConfig{}, DefaultSlowThreshold, nil, true},
		{"canceled", DeferredConfig{}, time.Millisecond, context.Canceled, false},
		{"no rows", DeferredConfig{}, time.Millisecond, pgx.ErrNoRows, false},
		{"slow for a logger", withLoggers(100*time.Millisecond, 300*time.Millisecond), 100 * time.Millisecond, nil, true},
		{"fast for every logger", withLoggers(100*time.Millisecond, 300*time.Millisecond), 99 * time.Millisecond, nil, false},
		{"loggers with nothing slow", withLoggers(-1), DefaultSlowThreshold, nil, true},
		{"custom rule", DeferredConfig{Immediate: func(e *Event) bool { return e.Rows > 0 }}, time.Millisecond, nil, true},
		{"custom rule defers failures", DeferredConfig{Immediate: func(*Event) bool { return false }}, time.Millisecond, pgErr, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tr, d, rec, clk := deferredTracer(tt.cfg)
			defer func() { _ = d.Close(context.Background()) }()
			runQuery(context.Background(), tr, clk, "SELECT $1", []any{1}, tt.took, tt.err)
			if got := rec.count() == 1; got != tt.immediate {
				t.Fatalf("handed on at once: %v, want %v", got, tt.immediate)
			}
			if tt.immediate && (len(rec.events[0].Args) != 1 || !errors.Is(rec.events[0].Err, tt.err)) {
				t.Errorf("an immediate event lost its arguments or error: %+v", rec.events[0])
			}
		})
	}
}

// withLoggers returns a config whose observers are a zerolog and a slog
// logger with the given slow thresholds (the last one, or the only one,
// for both when there is one).
func withLoggers(thresholds ...time.Duration) DeferredConfig {
	zt, st := thresholds[0], thresholds[len(thresholds)-1]
	return DeferredConfig{Observers: []Observer{
		NewLogger(zerolog.Nop(), LogConfig{SlowThreshold: zt}),
		NewSlogLogger(slog.New(slog.DiscardHandler), LogConfig{SlowThreshold: st}),
	}}
}

func TestDeferredFlushesOnItsOwn(t *testing.T) {
	t.Parallel()
	tr, d, rec, clk := deferredTracer(DeferredConfig{FlushInterval: 5 * time.Millisecond})
	defer func() { _ = d.Close(context.Background()) }()
	runQuery(context.Background(), tr, clk, "SELECT 1", nil, time.Millisecond, nil)
	deadline := time.Now().Add(5 * time.Second)
	for rec.count() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if n := rec.count(); n != 1 {
		t.Fatalf("the flusher handed on %d events, want 1", n)
	}
}

func TestDeferredDropsBeyondMaxBuffered(t *testing.T) {
	t.Parallel()
	tr, d, rec, clk := deferredTracer(DeferredConfig{MaxBuffered: 2})
	for range 5 {
		runQuery(context.Background(), tr, clk, "SELECT 1", nil, time.Millisecond, nil)
	}
	if err := d.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(rec.events) != 2 || d.Dropped() != 3 {
		t.Errorf("%d events handed on, %d dropped; want 2 and 3", len(rec.events), d.Dropped())
	}
}

func TestDeferredAfterClose(t *testing.T) {
	t.Parallel()
	tr, d, rec, clk := deferredTracer(DeferredConfig{})
	for range 2 { // Close may be called more than once
		if err := d.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	runQuery(context.Background(), tr, clk, "SELECT $1", []any{1}, time.Millisecond, nil)
	if rec.count() != 1 || len(rec.events[0].Args) != 1 {
		t.Errorf("after Close: %d events, want 1 handed on at once, whole", rec.count())
	}
}

// blocker holds the flush until released.
type blocker struct{ release chan struct{} }

func (b blocker) Observe(context.Context, *Event) { <-b.release }

func TestDeferredCloseHonoursContext(t *testing.T) {
	t.Parallel()
	b := blocker{release: make(chan struct{})}
	tr, d, _, clk := deferredTracer(DeferredConfig{Observers: []Observer{b}})
	runQuery(context.Background(), tr, clk, "SELECT 1", nil, time.Millisecond, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if err := d.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Close with a stuck observer = %v, want the context's deadline", err)
	}
	close(b.release)
	if err := d.Close(context.Background()); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

func TestDeferredKinds(t *testing.T) {
	t.Parallel()
	queries, acquires := &recorder{}, &recorder{}
	d := NewDeferred(DeferredConfig{Observers: []Observer{
		filtered{queries, kindSet{KindQuery: true}},
		filtered{acquires, kindSet{KindAcquire: true}},
	}})
	for k, want := range map[Kind]bool{KindQuery: true, KindAcquire: true, KindRelease: false, KindBatch: false, 0: false, KindRelease + 1: false} {
		if d.Observes(k) != want {
			t.Errorf("Observes(%v) = %v, want %v", k, !want, want)
		}
	}
	tr := New(Config{Observers: []Observer{d}})
	ctx := tr.TraceAcquireStart(context.Background(), nil, pgxpool.TraceAcquireStartData{})
	tr.TraceAcquireEnd(ctx, nil, pgxpool.TraceAcquireEndData{})
	tr.TraceRelease(nil, pgxpool.TraceReleaseData{})
	runQuery(context.Background(), tr, &fakeClock{}, "SELECT 1", nil, 0, nil)
	if err := d.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(queries.events) != 1 || queries.events[0].Kind != KindQuery || len(acquires.events) != 1 || acquires.events[0].Kind != KindAcquire {
		t.Errorf("queries got %d events, acquires %d; want one each, of their kind", len(queries.events), len(acquires.events))
	}
}

// TestDeferredCallPathAllocations: behind Deferred, a pooled query costs
// the calling goroutine no more than the tracer's allocations, whatever
// the observers do at the flush: here two, the contexts of the acquire
// and of the query, since the hooks get no connection (with one, the
// query's event lives in the connection and the call makes one; see
// e2e/observe's TestCallPathAllocations). Not parallel:
// AllocsPerRun counts every goroutine's allocations.
func TestDeferredCallPathAllocations(t *testing.T) {
	d := NewDeferred(DeferredConfig{
		Observers:     []Observer{NewLogger(zerolog.New(io.Discard).Level(zerolog.InfoLevel), LogConfig{}), MetricsObserver(&Expvar{})},
		FlushInterval: time.Hour,
	})
	defer func() { _ = d.Close(context.Background()) }()
	tr := New(Config{Observers: []Observer{d}, Endpoint: "primary"})
	ctx := context.Background()
	args := []any{int64(42)}
	tag := pgconn.NewCommandTag("SELECT 1")
	allocs := testing.AllocsPerRun(1000, func() {
		actx := tr.TraceAcquireStart(ctx, nil, pgxpool.TraceAcquireStartData{})
		tr.TraceAcquireEnd(actx, nil, pgxpool.TraceAcquireEndData{})
		qctx := tr.TraceQueryStart(ctx, nil, pgx.TraceQueryStartData{SQL: "SELECT a FROM t WHERE id = $1", Args: args})
		tr.TraceQueryEnd(qctx, nil, pgx.TraceQueryEndData{CommandTag: tag})
		tr.TraceRelease(nil, pgxpool.TraceReleaseData{})
	})
	if allocs != 2 {
		t.Errorf("a traced pooled query allocates %v times on the calling goroutine, want 2", allocs)
	}
}

// argsReader reads the arguments of every event, as a logger beside a
// Deferred does while the Deferred's goroutine may already be flushing.
type argsReader struct{ n int }

func (r *argsReader) Observe(_ context.Context, e *Event) {
	for _, a := range e.Args {
		if a != nil {
			r.n++
		}
	}
}

// TestDeferredBesideOtherObservers: the Deferred keeps the tracer's event
// rather than a copy; flushing it must not touch what the call's later
// observers read, nor hand the observers behind it the call's Args (run
// with -race).
func TestDeferredBesideOtherObservers(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	d := NewDeferred(DeferredConfig{Observers: []Observer{rec}, FlushInterval: time.Microsecond})
	after := &argsReader{}
	tr := New(Config{Observers: []Observer{d, after}})
	const calls = 2000
	for i := range calls {
		args := []any{i}
		ctx := tr.TraceQueryStart(context.Background(), nil, pgx.TraceQueryStartData{SQL: "SELECT $1", Args: args})
		tr.TraceQueryEnd(ctx, nil, pgx.TraceQueryEndData{})
		args[0] = "reused by the caller" // the call is over
	}
	if err := d.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if after.n != calls || len(rec.events) != calls {
		t.Fatalf("the observer beside saw %d arguments, the one behind %d events; want %d each", after.n, len(rec.events), calls)
	}
	for _, e := range rec.events {
		if e.Args != nil {
			t.Fatalf("an observer behind Deferred got the call's Args: %v", e.Args)
		}
	}
}

// TestDeferredCopiesForeignEvents: an event handed to Observe by code other
// than the tracer may be reused once Observe returns, so it is copied.
func TestDeferredCopiesForeignEvents(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	d := NewDeferred(DeferredConfig{Observers: []Observer{rec}, FlushInterval: time.Hour})
	e := Event{Kind: KindQuery, Rows: 3, Args: []any{"secret"}}
	d.Observe(context.Background(), &e)
	e.Rows = 99 // reused by its owner
	if err := d.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(rec.events) != 1 || rec.events[0].Rows != 3 || rec.events[0].Args != nil {
		t.Errorf("handed on %+v, want the event as observed (3 rows), without Args", rec.events)
	}
	// An event of no known kind is nobody's: dropped, at once or later.
	d.Observe(context.Background(), &Event{Kind: KindRelease + 9})
	d2 := NewDeferred(DeferredConfig{Observers: []Observer{rec}, FlushInterval: time.Hour})
	d2.Observe(context.Background(), &Event{Kind: KindRelease + 9})
	if err := d2.Close(context.Background()); err != nil || len(rec.events) != 1 {
		t.Errorf("an unknown kind: Close = %v, %d events; want it ignored", err, len(rec.events))
	}
}

func TestDeferredFlush(t *testing.T) {
	t.Parallel()
	tr, d, rec, clk := deferredTracer(DeferredConfig{})
	runQuery(context.Background(), tr, clk, "SELECT 1", nil, time.Millisecond, nil)
	runQuery(context.Background(), tr, clk, "SELECT 2", nil, time.Millisecond, nil)
	if err := d.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := rec.count(); n != 2 {
		t.Fatalf("after Flush: %d events handed on, want 2", n)
	}
	runQuery(context.Background(), tr, clk, "SELECT 3", nil, time.Millisecond, nil)
	if n := rec.count(); n != 2 {
		t.Fatalf("a call after Flush was handed on at once (%d events)", n)
	}
	if err := d.Close(context.Background()); err != nil || rec.count() != 3 {
		t.Fatalf("Close = %v with %d events, want 3", err, rec.count())
	}
	if err := d.Flush(context.Background()); err != nil {
		t.Errorf("Flush after Close = %v, want nil", err)
	}
}

func TestDeferredFlushHonoursContext(t *testing.T) {
	t.Parallel()
	b := blocker{release: make(chan struct{})}
	tr, d, _, clk := deferredTracer(DeferredConfig{Observers: []Observer{b}})
	defer func() { _ = d.Close(context.Background()) }()
	runQuery(context.Background(), tr, clk, "SELECT 1", nil, time.Millisecond, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if err := d.Flush(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Flush with a stuck observer = %v, want the context's deadline", err)
	}
	close(b.release)
	if err := d.Flush(context.Background()); err != nil {
		t.Errorf("Flush once the observer is free = %v", err)
	}
}
