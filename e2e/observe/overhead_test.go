package observe

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/normkit/norm/observe"
	"github.com/normkit/norm/observe/otel"
	"github.com/normkit/norm/observe/prom"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// BenchmarkTracerOverhead measures the CPU cost the tracer adds to one
// pooled query (acquire, query, release hooks), without a database, for
// growing observer sets. Behind observe.Deferred the figure is the cost to
// the caller; the work of the goroutine that hands events on is not in it:
//
//	cd e2e && go test -run '^$' -bench TracerOverhead -benchmem ./observe/
func BenchmarkTracerOverhead(b *testing.B) {
	logger := observe.NewLogger(zerolog.New(io.Discard).Level(zerolog.InfoLevel), observe.LogConfig{})
	metrics, err := prom.New(prometheus.NewRegistry(), prom.Options{})
	if err != nil {
		b.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(tracetest.NewNoopExporter()))
	spans := otel.New(otel.Config{TracerProvider: tp, Database: "app"})
	full := []observe.Observer{logger, observe.MetricsObserver(metrics), spans}
	sets := []struct {
		name      string
		observers []observe.Observer
		deferred  bool // behind observe.Deferred
	}{
		{"none", nil, false},
		{"log-info", []observe.Observer{logger}, false},
		{"log+expvar", []observe.Observer{logger, observe.MetricsObserver(&observe.Expvar{})}, false},
		{"log+prom", []observe.Observer{logger, observe.MetricsObserver(metrics)}, false},
		{"log+prom+otel", full, false},
		{"deferred(log+prom+otel)", full, true},
	}
	const sql = "SELECT id, email FROM users WHERE id = $1"
	tag := pgconn.NewCommandTag("SELECT 1")
	for _, set := range sets {
		b.Run(set.name, func(b *testing.B) {
			tr, flush := newOverheadTracer(set.observers, set.deferred)
			ctx := context.Background()
			args := []any{int64(42)}
			b.ReportAllocs()
			for i := 1; b.Loop(); i++ {
				actx := tr.TraceAcquireStart(ctx, nil, pgxpool.TraceAcquireStartData{})
				tr.TraceAcquireEnd(actx, nil, pgxpool.TraceAcquireEndData{})
				qctx := tr.TraceQueryStart(ctx, nil, pgx.TraceQueryStartData{SQL: sql, Args: args})
				tr.TraceQueryEnd(qctx, nil, pgx.TraceQueryEndData{CommandTag: tag})
				tr.TraceRelease(nil, pgxpool.TraceReleaseData{})
				if i%deferredBatch == 0 {
					// A loop outruns any goroutine recording what it does:
					// flush with the clock stopped, so the figure is the
					// caller's share and nothing is dropped.
					b.StopTimer()
					flush()
					b.StartTimer()
				}
			}
		})
	}
}

// deferredBatch is how many calls BenchmarkTracerOverhead buffers before
// it flushes a Deferred observer: their two events (acquire and query)
// each stay below DefaultMaxBuffered.
const deferredBatch = 1024

// newOverheadTracer returns a tracer over observers, behind a Deferred
// one with deferred, and a function to call after every deferredBatch
// calls that hands the buffered events on.
func newOverheadTracer(observers []observe.Observer, deferred bool) (*observe.Tracer, func()) {
	if !deferred {
		return observe.New(observe.Config{Observers: observers, Endpoint: "primary"}), func() {}
	}
	d := observe.NewDeferred(observe.DeferredConfig{Observers: observers, FlushInterval: time.Hour})
	tr := observe.New(observe.Config{Observers: []observe.Observer{d}, Endpoint: "primary"})
	return tr, func() {
		if err := d.Flush(context.Background()); err != nil {
			panic(err)
		}
		if n := d.Dropped(); n > 0 {
			panic(fmt.Sprintf("%d events dropped: the figure is not the cost of buffering", n))
		}
	}
}
