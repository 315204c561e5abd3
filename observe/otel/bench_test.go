package otel_test

import (
	"context"
	"io"
	"testing"

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
// growing observer sets. With deferred spans the figure is the cost to
// the caller; the recording goroutine's work is not in it:
//
//	go test -run '^$' -bench TracerOverhead -benchmem ./otel/
func BenchmarkTracerOverhead(b *testing.B) {
	logger := observe.NewLogger(zerolog.New(io.Discard).Level(zerolog.InfoLevel), observe.LogConfig{})
	metrics, err := prom.New(prometheus.NewRegistry(), prom.Options{})
	if err != nil {
		b.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(tracetest.NewNoopExporter()))
	spans := otel.New(otel.Config{TracerProvider: tp, Database: "app"})
	deferred := otel.New(otel.Config{TracerProvider: tp, Database: "app", Deferred: true})
	b.Cleanup(func() { _ = deferred.Close(context.Background()) })
	sets := []struct {
		name      string
		observers []observe.Observer
	}{
		{"none", nil},
		{"log-info", []observe.Observer{logger}},
		{"log+expvar", []observe.Observer{logger, observe.MetricsObserver(&observe.Expvar{})}},
		{"log+prom", []observe.Observer{logger, observe.MetricsObserver(metrics)}},
		{"log+prom+otel", []observe.Observer{logger, observe.MetricsObserver(metrics), spans}},
		{"log+prom+otel-deferred", []observe.Observer{logger, observe.MetricsObserver(metrics), deferred}},
	}
	const sql = "SELECT id, email FROM users WHERE id = $1"
	tag := pgconn.NewCommandTag("SELECT 1")
	for _, set := range sets {
		b.Run(set.name, func(b *testing.B) {
			tr := observe.New(observe.Config{Observers: set.observers, Endpoint: "primary"})
			ctx := context.Background()
			args := []any{int64(42)}
			b.ReportAllocs()
			for b.Loop() {
				actx := tr.TraceAcquireStart(ctx, nil, pgxpool.TraceAcquireStartData{})
				tr.TraceAcquireEnd(actx, nil, pgxpool.TraceAcquireEndData{})
				qctx := tr.TraceQueryStart(ctx, nil, pgx.TraceQueryStartData{SQL: sql, Args: args})
				tr.TraceQueryEnd(qctx, nil, pgx.TraceQueryEndData{CommandTag: tag})
				tr.TraceRelease(nil, pgxpool.TraceReleaseData{})
			}
		})
	}
}
