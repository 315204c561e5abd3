package observe

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/normkit/norm/e2e"
	normobserve "github.com/normkit/norm/observe"
	"github.com/normkit/norm/observe/otel"
	"github.com/rs/zerolog"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// BenchmarkCallPath measures what observers on the call path cost each
// kind of call (SELECT by primary key, INSERT … RETURNING, UPDATE by
// primary key, a batch of three SELECTs, a COPY of ten rows) in three
// configurations, against the same pool without tracer, in the same run:
//
//   - info: zerolog at info (success lines judged, not written) and the
//     expvar metrics, what most services run;
//   - debug: zerolog at debug, every line written (to io.Discard), and
//     expvar;
//   - otel: info and expvar plus OpenTelemetry, every span sampled and
//     handed to a no-op exporter.
//
// Run it with:
//
//	cd e2e && go test -run '^$' -bench CallPath -benchmem -benchtime 5000x -count 5 -cpu 1 ./observe/
//
// As in BenchmarkSelectByPK, every call goes through one pool of one
// connection whose tracer is switched between calls. <op>/<config>
// sub-benchmarks time one configuration alone and give its allocations
// per call (<op>/off is the bare pool); ab/<op>/<config> alternate a call
// without tracer and one with the configuration and report the ratio of
// the medians; ab/<op>/control alternates two untraced calls, the noise
// floor of the others.
func BenchmarkCallPath(b *testing.B) {
	sw, ops := setupCallPath(b)
	configs := []struct {
		name  string
		hooks *hookSet
	}{
		{"info", &hookSet{callPathTracer(b, zerolog.InfoLevel, false)}},
		{"debug", &hookSet{callPathTracer(b, zerolog.DebugLevel, false)}},
		{"otel", &hookSet{callPathTracer(b, zerolog.InfoLevel, true)}},
	}
	call := func(o callOp, h *hookSet, i int) time.Duration {
		sw.use(h)
		t0 := time.Now()
		if err := o.run(i); err != nil {
			b.Fatal(err)
		}
		return time.Since(t0)
	}
	for i := range 50 { // warm the connection and the statement caches
		for _, o := range ops {
			call(o, nil, i)
			for _, c := range configs {
				call(o, c.hooks, i)
			}
		}
	}
	for _, o := range ops {
		b.Run(o.name+"/off", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				call(o, nil, i)
			}
		})
		for _, c := range configs {
			b.Run(o.name+"/"+c.name, func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					call(o, c.hooks, i)
				}
			})
		}
	}
	for _, o := range ops {
		for _, c := range append([]struct {
			name  string
			hooks *hookSet
		}{{"control", nil}}, configs...) {
			b.Run("ab/"+o.name+"/"+c.name, func(b *testing.B) {
				off := make([]time.Duration, 0, 1<<16)
				on := make([]time.Duration, 0, 1<<16)
				for i := 0; b.Loop(); i++ {
					if i%2 == 0 {
						off = append(off, call(o, nil, i))
						on = append(on, call(o, c.hooks, i))
					} else {
						on = append(on, call(o, c.hooks, i))
						off = append(off, call(o, nil, i))
					}
				}
				mOff, mOn := e2e.Median(off), e2e.Median(on)
				b.ReportMetric(float64(mOff.Nanoseconds()), "off-ns/call")
				b.ReportMetric(float64(mOn.Nanoseconds()), "on-ns/call")
				b.ReportMetric(float64(mOn)/float64(mOff), "ratio")
			})
		}
	}
}

// callOp is one kind of call BenchmarkCallPath measures; run makes its
// i-th call.
type callOp struct {
	name string
	run  func(i int) error
}

// setupCallPath makes a database and a pool of one connection whose
// tracer is the switch returned, and the calls BenchmarkCallPath makes.
func setupCallPath(b testing.TB) (*switchTracer, []callOp) {
	b.Helper()
	ctx := context.Background()
	d := setupDB(b)
	sw := &switchTracer{}
	p := newPool(b, d, sw)
	for _, ddl := range []string{
		`CREATE TABLE items (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, n bigint NOT NULL)`,
		`CREATE TABLE copied (name text NOT NULL, n bigint NOT NULL)`,
		`INSERT INTO items (name, n) SELECT 'item ' || g, g FROM generate_series(1, 1000) g`,
	} {
		if _, err := p.Exec(ctx, ddl); err != nil {
			b.Fatal(err)
		}
	}
	copyRows := make([][]any, 10)
	for i := range copyRows {
		copyRows[i] = []any{"copied", int64(i)}
	}
	ops := []callOp{
		{"select", func(i int) error {
			var id int64
			var name string
			return p.QueryRow(ctx, `SELECT id, name FROM items WHERE id = $1`, int64(i%1000+1)).Scan(&id, &name)
		}},
		{"insert", func(i int) error {
			var id int64
			return p.QueryRow(ctx, `INSERT INTO items (name, n) VALUES ($1, $2) RETURNING id`, "new", int64(i)).Scan(&id)
		}},
		{"update", func(i int) error {
			_, err := p.Exec(ctx, `UPDATE items SET n = n + 1 WHERE id = $1`, int64(i%1000+1))
			return err
		}},
		{"batch", func(i int) error {
			batch := &pgx.Batch{}
			for j := range 3 {
				batch.Queue(`SELECT id, name FROM items WHERE id = $1`, int64((i+j)%1000+1))
			}
			return p.SendBatch(ctx, batch).Close()
		}},
		{"copy", func(int) error {
			_, err := p.CopyFrom(ctx, pgx.Identifier{"copied"}, []string{"name", "n"}, pgx.CopyFromRows(copyRows))
			return err
		}},
	}
	return sw, ops
}

// callPathTracer returns a tracer with a zerolog logger at level writing
// to io.Discard, expvar metrics and, with spans, OpenTelemetry spans
// sampled always and handed to a no-op exporter; every observer on the
// call path.
func callPathTracer(b testing.TB, level zerolog.Level, spans bool) *normobserve.Tracer {
	b.Helper()
	logger := zerolog.New(io.Discard).Level(level)
	observers := []normobserve.Observer{
		normobserve.NewLogger(logger, normobserve.LogConfig{}),
		normobserve.MetricsObserver(&normobserve.Expvar{}),
	}
	if spans {
		tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(tracetest.NewNoopExporter()))
		b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
		observers = append(observers, otel.New(otel.Config{TracerProvider: tp, Database: "app"}))
	}
	return normobserve.New(normobserve.Config{Endpoint: "primary", Observers: observers})
}
