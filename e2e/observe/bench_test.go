package observe

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	normobserve "github.com/normkit/norm/observe"
	"github.com/normkit/norm/observe/otel"
	"github.com/normkit/norm/observe/prom"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// BenchmarkSelectByPK measures the tracer's overhead: a SELECT by primary
// key through a bare pgxpool and through one with the full observer set
// (zerolog at info so success lines are filtered, Prometheus metrics,
// OpenTelemetry spans sampled and sent to a no-op exporter), on the same
// database in the same run:
//
//	go test -run '^$' -bench SelectByPK -benchmem -count 5 ./observe/
func BenchmarkSelectByPK(b *testing.B) {
	ctx := context.Background()
	d := setupDB(b)
	bare := newPool(b, d, nil)
	if _, err := bare.Exec(ctx, `INSERT INTO users (id, email) SELECT g, 'user' || g || '@example.com' FROM generate_series(1, 1000) g`); err != nil {
		b.Fatal(err)
	}
	full := newPool(b, d, fullTracer(b, true))
	noSpans := newPool(b, d, fullTracer(b, false))
	const q = "SELECT id, email FROM users WHERE id = $1"
	call := func(p *pgxpool.Pool, id int64) error {
		var email string
		return p.QueryRow(ctx, q, id).Scan(&id, &email)
	}
	for range 20 { // warm the pools and statement caches
		for _, p := range []*pgxpool.Pool{bare, full, noSpans} {
			_ = call(p, 1)
		}
	}
	pools := []struct {
		name string
		p    *pgxpool.Pool
	}{{"bare", bare}, {"full", full}, {"log+metrics", noSpans}}
	for _, bc := range pools {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if err := call(bc.p, int64(i%1000+1)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	// Interleaved: each iteration times one call through each pool,
	// alternating which goes first, so load from other processes on the
	// machine hits both alike; reports both means and their ratio.
	for _, bc := range pools[1:] {
		b.Run("interleaved/"+bc.name, func(b *testing.B) {
			var tBare, tObs time.Duration
			for i := 0; b.Loop(); i++ {
				id := int64(i%1000 + 1)
				first, second, tFirst, tSecond := bare, bc.p, &tBare, &tObs
				if i%2 == 1 {
					first, second, tFirst, tSecond = bc.p, bare, &tObs, &tBare
				}
				t0 := time.Now()
				if err := call(first, id); err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				if err := call(second, id); err != nil {
					b.Fatal(err)
				}
				*tFirst += t1.Sub(t0)
				*tSecond += time.Since(t1)
			}
			n := float64(b.N)
			b.ReportMetric(float64(tBare.Nanoseconds())/n, "bare-ns/op")
			b.ReportMetric(float64(tObs.Nanoseconds())/n, "observed-ns/op")
			b.ReportMetric(float64(tObs)/float64(tBare), "ratio")
		})
	}
}

func newPool(b *testing.B, d interface{ DSN() string }, tracer *normobserve.Tracer) *pgxpool.Pool {
	b.Helper()
	cfg, err := pgxpool.ParseConfig(d.DSN())
	if err != nil {
		b.Fatal(err)
	}
	if tracer != nil {
		cfg.ConnConfig.Tracer = tracer
	}
	p, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(p.Close)
	return p
}

// fullTracer is the observer set a service would run in production:
// zerolog at info, Prometheus metrics and, with spans, OpenTelemetry
// spans sampled always and exported to a no-op exporter.
func fullTracer(b *testing.B, spans bool) *normobserve.Tracer {
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
	if spans {
		tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(tracetest.NewNoopExporter()))
		b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
		observers = append(observers, otel.New(otel.Config{TracerProvider: tp, Database: "app"}))
	}
	return normobserve.New(normobserve.Config{Endpoint: "primary", Observers: observers})
}
