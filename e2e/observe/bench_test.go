package observe

import (
	"context"
	"io"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/normkit/norm/e2e"
	normobserve "github.com/normkit/norm/observe"
	"github.com/normkit/norm/observe/otel"
	"github.com/normkit/norm/observe/prom"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// BenchmarkSelectByPK measures the tracer's overhead on a SELECT by
// primary key: no tracer, logs and metrics (zerolog at info so success
// lines are filtered, Prometheus), and the full set (plus OpenTelemetry
// spans sampled always and sent to a no-op exporter), with the observers
// on the call path or behind observe.Deferred, on the same database in
// the same run:
//
//	go test -run '^$' -bench SelectByPK -benchmem -benchtime 10000x -count 5 ./observe/
//
// Every call goes through one pool holding one connection, whose tracer is
// switched between calls: two pools would compare two server backends,
// and on a small machine the scheduling of those alone differs by several
// percent (an off-vs-off control of two bare pools measured 1.02-1.10).
// With tracing off the switch costs one atomic load and an empty call per
// hook, in the calls with and without the set alike.
//
// The sub-benchmarks off, log+metrics, full and full-deferred time each
// set alone and give its allocations per call. The ab/ ones alternate a
// call without tracer and a call with the set (changing which goes first)
// and report the ratio of the medians of the two, which a burst of load on
// the machine cannot skew as it skews a mean; ab/off is the control.
//
// Two sets calibrate the machine. ab/spin-500ns hooks only burn 250ns of
// CPU (as timed in a tight loop) at the start and at the end of the query:
// what that costs a call, against 500ns, is how much dearer code on the
// call path is than a microbenchmark of it says (caches and the CPU go
// cold while the call waits for the server). ab/floor is the least a
// tracer that times queries can do: put the start time in the context
// and read the clock again at the end.
func BenchmarkSelectByPK(b *testing.B) {
	ctx := context.Background()
	d := setupDB(b)
	sw := &switchTracer{}
	p := newPool(b, d, sw)
	if _, err := p.Exec(ctx, `INSERT INTO users (id, email) SELECT g, 'user' || g || '@example.com' FROM generate_series(1, 1000) g`); err != nil {
		b.Fatal(err)
	}
	type set struct {
		name  string
		hooks *hookSet
	}
	sets := []set{
		{"off", nil},
		{"log+metrics", &hookSet{fullTracer(b, spansNone)}},
		{"full", &hookSet{fullTracer(b, spansLive)}},
		{"full-deferred", &hookSet{fullTracer(b, spansDeferred)}},
	}
	calibration := []set{
		{"spin-500ns", &hookSet{newSpinHooks(250 * time.Nanosecond)}},
		{"floor", &hookSet{&floorHooks{}}},
	}
	const q = "SELECT id, email FROM users WHERE id = $1"
	call := func(h *hookSet, id int64) time.Duration {
		sw.use(h)
		var email string
		t0 := time.Now()
		if err := p.QueryRow(ctx, q, id).Scan(&id, &email); err != nil {
			b.Fatal(err)
		}
		return time.Since(t0)
	}
	for i := range 50 { // warm the connection and the statement caches
		for _, s := range append(sets, calibration...) {
			call(s.hooks, int64(i+1))
		}
	}
	for _, s := range sets {
		b.Run(s.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				call(s.hooks, int64(i%1000+1))
			}
		})
	}
	for _, s := range append(sets, calibration...) {
		b.Run("ab/"+s.name, func(b *testing.B) {
			off := make([]time.Duration, 0, 1<<18)
			on := make([]time.Duration, 0, 1<<18)
			for i := 0; b.Loop(); i++ {
				id := int64(i%1000 + 1)
				if i%2 == 0 {
					off = append(off, call(nil, id))
					on = append(on, call(s.hooks, id))
				} else {
					on = append(on, call(s.hooks, id))
					off = append(off, call(nil, id))
				}
			}
			mOff, mOn := e2e.Median(off), e2e.Median(on)
			b.ReportMetric(float64(mOff.Nanoseconds()), "off-ns/call")
			b.ReportMetric(float64(mOn.Nanoseconds()), "on-ns/call")
			b.ReportMetric(float64(mOn)/float64(mOff), "ratio")
		})
	}
}

// hooks are the tracer hooks a call through a pool may reach.
type hooks interface {
	pgx.QueryTracer
	pgx.BatchTracer
	pgx.CopyFromTracer
	pgx.PrepareTracer
	pgxpool.AcquireTracer
	pgxpool.ReleaseTracer
}

type hookSet struct{ hooks }

// switchTracer hands pgx's hooks to the set it holds, or to none. A call
// must not switch it between its start and its end.
type switchTracer struct {
	cur atomic.Pointer[hookSet]
}

func (s *switchTracer) use(h *hookSet) { s.cur.Store(h) }

// on returns the hooks in use: the set's, or hooks that do nothing.
func (s *switchTracer) on() hooks {
	if h := s.cur.Load(); h != nil {
		return h.hooks
	}
	return noHooks{}
}

func (s *switchTracer) TraceQueryStart(ctx context.Context, c *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	return s.on().TraceQueryStart(ctx, c, d)
}

func (s *switchTracer) TraceQueryEnd(ctx context.Context, c *pgx.Conn, d pgx.TraceQueryEndData) {
	s.on().TraceQueryEnd(ctx, c, d)
}

func (s *switchTracer) TraceBatchStart(ctx context.Context, c *pgx.Conn, d pgx.TraceBatchStartData) context.Context {
	return s.on().TraceBatchStart(ctx, c, d)
}

func (s *switchTracer) TraceBatchQuery(ctx context.Context, c *pgx.Conn, d pgx.TraceBatchQueryData) {
	s.on().TraceBatchQuery(ctx, c, d)
}

func (s *switchTracer) TraceBatchEnd(ctx context.Context, c *pgx.Conn, d pgx.TraceBatchEndData) {
	s.on().TraceBatchEnd(ctx, c, d)
}

func (s *switchTracer) TraceCopyFromStart(ctx context.Context, c *pgx.Conn, d pgx.TraceCopyFromStartData) context.Context {
	return s.on().TraceCopyFromStart(ctx, c, d)
}

func (s *switchTracer) TraceCopyFromEnd(ctx context.Context, c *pgx.Conn, d pgx.TraceCopyFromEndData) {
	s.on().TraceCopyFromEnd(ctx, c, d)
}

func (s *switchTracer) TracePrepareStart(ctx context.Context, c *pgx.Conn, d pgx.TracePrepareStartData) context.Context {
	return s.on().TracePrepareStart(ctx, c, d)
}

func (s *switchTracer) TracePrepareEnd(ctx context.Context, c *pgx.Conn, d pgx.TracePrepareEndData) {
	s.on().TracePrepareEnd(ctx, c, d)
}

func (s *switchTracer) TraceAcquireStart(ctx context.Context, p *pgxpool.Pool, d pgxpool.TraceAcquireStartData) context.Context {
	return s.on().TraceAcquireStart(ctx, p, d)
}

func (s *switchTracer) TraceAcquireEnd(ctx context.Context, p *pgxpool.Pool, d pgxpool.TraceAcquireEndData) {
	s.on().TraceAcquireEnd(ctx, p, d)
}

func (s *switchTracer) TraceRelease(p *pgxpool.Pool, d pgxpool.TraceReleaseData) {
	s.on().TraceRelease(p, d)
}

// spinHooks burn a fixed amount of CPU at the start and at the end of a
// query, and do nothing else.
type spinHooks struct {
	noHooks
	n int
}

var spinSink int

// newSpinHooks returns hooks that each burn d of CPU, as timed now in a
// tight loop.
func newSpinHooks(d time.Duration) *spinHooks {
	const probe = 10_000_000
	t0 := time.Now()
	spin(probe)
	perUnit := float64(time.Since(t0)) / probe
	return &spinHooks{n: int(float64(d) / perUnit)}
}

func spin(n int) {
	x := 0
	for i := range n {
		x += i * i
	}
	spinSink = x
}

func (s *spinHooks) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	spin(s.n)
	return ctx
}

func (s *spinHooks) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) { spin(s.n) }

// noHooks do nothing on the hooks its embedders do not override.
type noHooks struct{}

func (noHooks) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	return ctx
}

func (noHooks) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (noHooks) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return ctx
}

func (noHooks) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}

func (noHooks) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

func (noHooks) TraceCopyFromStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceCopyFromStartData) context.Context {
	return ctx
}

func (noHooks) TraceCopyFromEnd(context.Context, *pgx.Conn, pgx.TraceCopyFromEndData) {}

func (noHooks) TracePrepareStart(ctx context.Context, _ *pgx.Conn, _ pgx.TracePrepareStartData) context.Context {
	return ctx
}

func (noHooks) TracePrepareEnd(context.Context, *pgx.Conn, pgx.TracePrepareEndData) {}

func (noHooks) TraceAcquireStart(ctx context.Context, _ *pgxpool.Pool, _ pgxpool.TraceAcquireStartData) context.Context {
	return ctx
}

func (noHooks) TraceAcquireEnd(context.Context, *pgxpool.Pool, pgxpool.TraceAcquireEndData) {}

func (noHooks) TraceRelease(*pgxpool.Pool, pgxpool.TraceReleaseData) {}

// floorHooks time each query and do nothing else.
type floorHooks struct {
	noHooks
	last atomic.Int64
}

type startKey struct{}

func (f *floorHooks) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	return context.WithValue(ctx, startKey{}, time.Now())
}

func (f *floorHooks) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryEndData) {
	if start, ok := ctx.Value(startKey{}).(time.Time); ok {
		f.last.Store(int64(time.Since(start)))
	}
}

// newPool opens a pool of one connection traced by tracer.
func newPool(b testing.TB, d interface{ DSN() string }, tracer pgx.QueryTracer) *pgxpool.Pool {
	b.Helper()
	cfg, err := pgxpool.ParseConfig(d.DSN())
	if err != nil {
		b.Fatal(err)
	}
	cfg.MinConns, cfg.MaxConns = 1, 1
	cfg.ConnConfig.Tracer = tracer
	p, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(p.Close)
	return p
}

// How fullTracer records spans.
type spanMode int

const (
	spansNone spanMode = iota
	spansLive
	spansDeferred // every observer behind observe.Deferred
)

// fullTracer is the observer set a service would run in production:
// zerolog at info, Prometheus metrics and OpenTelemetry spans sampled
// always and exported to a no-op exporter; with spansDeferred, all of
// them behind observe.Deferred.
func fullTracer(b *testing.B, spans spanMode) *normobserve.Tracer {
	b.Helper()
	metrics, err := prom.New(prometheus.NewRegistry(), prom.Options{})
	if err != nil {
		b.Fatal(err)
	}
	logger := zerolog.New(io.Discard).Level(zerolog.InfoLevel)
	observers := []normobserve.Observer{
		normobserve.NewLogger(logger, normobserve.LogConfig{}),
		normobserve.MetricsObserver(metrics),
	}
	if spans == spansNone {
		return normobserve.New(normobserve.Config{Endpoint: "primary", Observers: observers})
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(tracetest.NewNoopExporter()))
	b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	observers = append(observers, otel.New(otel.Config{TracerProvider: tp, Database: "app"}))
	if spans == spansDeferred {
		d := normobserve.NewDeferred(normobserve.DeferredConfig{Observers: observers})
		b.Cleanup(func() { _ = d.Close(context.Background()) }) // before the provider's shutdown
		observers = []normobserve.Observer{d}
	}
	return normobserve.New(normobserve.Config{Endpoint: "primary", Observers: observers})
}
