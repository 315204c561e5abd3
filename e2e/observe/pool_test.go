package observe

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	normobserve "github.com/normkit/norm/observe"
	"github.com/normkit/norm/observe/otel"
	"github.com/normkit/norm/observe/prom"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// TestPoolPaths checks that a pgxpool with the tracer reports each acquire
// and each release exactly once, and the query in between once.
func TestPoolPaths(t *testing.T) {
	t.Parallel()
	d := setupDB(t)
	h := newHarness("replica")
	p := h.pool(t, d)
	ctx := testCtx(t)
	if err := p.Ping(ctx); err != nil { // opens the first connection
		t.Fatal(err)
	}
	h.rec.take()

	c, err := p.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if k := kinds(h.rec.take()); k[normobserve.KindAcquire] != 1 || len(k) != 1 {
		t.Errorf("Acquire: events %v, want one acquire", k)
	}
	c.Release()
	if k := kinds(h.rec.take()); k[normobserve.KindRelease] != 1 || len(k) != 1 {
		t.Errorf("Release: events %v, want one release", k)
	}

	for run := 1; run <= 2; run++ {
		var n int64
		if err := p.QueryRow(ctx, `SELECT count(*) FROM users WHERE email <> $1`, secretEmail).Scan(&n); err != nil {
			t.Fatal(err)
		}
		events := h.rec.take()
		k := kinds(events)
		if k[normobserve.KindAcquire] != 1 || k[normobserve.KindQuery] != 1 || k[normobserve.KindRelease] != 1 {
			t.Errorf("pool QueryRow run %d: events %v, want one acquire, query and release", run, k)
		}
		if run == 2 && len(events) != 3 {
			t.Errorf("pool QueryRow run 2 (cached): %d events, want 3: %v", len(events), k)
		}
		for _, e := range events {
			if e.Endpoint != "replica" {
				t.Errorf("%s endpoint = %q, want the tracer's static replica", e.Kind, e.Endpoint)
			}
		}
	}
}

// TestContextFields checks that a request logger in ctx and the fields
// attached with WithCorrelationID / WithFields / WithEndpoint reach the
// log line of a query.
func TestContextFields(t *testing.T) {
	t.Parallel()
	d := setupDB(t)
	h := newHarness("primary")
	p := h.pool(t, d)

	var reqLogs bytes.Buffer
	reqLogger := zerolog.New(&reqLogs).With().Str("request_id", "req-77").Logger()
	ctx := reqLogger.WithContext(testCtx(t))
	ctx = normobserve.WithCorrelationID(ctx, "corr-e2e-1")
	ctx = normobserve.WithFields(ctx, normobserve.Field{Key: "tenant", Value: "acme"})
	ctx = normobserve.WithEndpoint(ctx, "replica")
	if _, err := p.Exec(ctx, insertSQL, insertArgs(1, secretEmail)...); err != nil {
		t.Fatal(err)
	}
	_, _ = allLogs.Write(reqLogs.Bytes())
	var query map[string]any
	for _, m := range logLines(t, reqLogs.String()) {
		if m["message"] == "query" {
			query = m
		}
	}
	if query == nil {
		t.Fatalf("no query line in the request logger's output:\n%s", reqLogs.String())
	}
	for k, v := range map[string]any{"request_id": "req-77", "correlation_id": "corr-e2e-1", "tenant": "acme", "endpoint": "replica", "op": "insert"} {
		if query[k] != v {
			t.Errorf("%s = %v, want %v", k, query[k], v)
		}
	}
	if leaks := findSecrets(reqLogs.String()); len(leaks) > 0 {
		t.Errorf("request logs leak %v", leaks)
	}
}

// TestMetricsAndTracing wires Prometheus, expvar and OpenTelemetry
// observers to a pool and checks what they report for real calls.
func TestMetricsAndTracing(t *testing.T) {
	t.Parallel()
	d := setupDB(t)
	reg := prometheus.NewRegistry()
	pm, err := prom.New(reg, prom.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := normobserve.NewExpvar("norm_db_e2e")
	if err != nil {
		t.Fatal(err)
	}
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	h := newHarness("primary",
		normobserve.MetricsObserver(pm),
		normobserve.MetricsObserver(ev),
		otel.New(otel.Config{TracerProvider: tp, Database: "e2e"}))
	p := h.pool(t, d)
	ctx := testCtx(t)
	for i := int64(1); i <= 3; i++ {
		if _, err := p.Exec(ctx, insertSQL, insertArgs(i, secretEmail)...); err != nil && i == 1 {
			t.Fatal(err)
		}
	}
	normobserve.ReportPoolStats(canceledCtx(ctx), pm, "primary", p, 0)

	handler := normobserve.Handler(normobserve.HandlerConfig{Metrics: prom.Handler(reg), Health: p.Ping})
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if rec.Code != http.StatusOK {
		t.Errorf("/healthz with a live pool = %d, want 200", rec.Code)
	}
	rec = httptest.NewRecorder()
	handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	body := rec.Body.String()
	for _, want := range []string{
		`op="insert",outcome="ok"} 1`,
		`op="insert",outcome="error"} 2`,
		`norm_db_errors_total{class="23",op="insert"} 2`,
		`norm_db_pool_conns{endpoint="primary",state="total"}`,
		`norm_db_pool_acquire_wait_seconds_count{endpoint="primary"}`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s:\n%s", want, body)
		}
	}
	if leaks := findSecrets(body); len(leaks) > 0 || strings.Contains(body, "INSERT INTO") {
		t.Errorf("/metrics leaks values or SQL: %v", leaks)
	}
	snap := ev.Snapshot()["errors"].(map[string]int64)
	if snap["insert 23"] != 2 {
		t.Errorf("expvar errors = %v, want insert 23: 2", snap)
	}
	var inserts int
	for _, s := range spans.Ended() {
		if s.Name() != "INSERT" {
			continue
		}
		inserts++
		for _, kv := range s.Attributes() {
			if leaks := findSecrets(kv.Value.String()); len(leaks) > 0 {
				t.Errorf("span attribute %s leaks %v", kv.Key, leaks)
			}
		}
		if d := s.Status().Description; findSecrets(d) != nil {
			t.Errorf("span status leaks: %s", d)
		}
	}
	if inserts != 3 {
		t.Errorf("INSERT spans = %d, want 3", inserts)
	}
}

// TestSpansOnRealCalls follows the spans of real pgx calls in both modes:
// live (the span is in the call's context, and pgx's prepare for a new
// statement is its child) and behind observe.Deferred (recorded later,
// same parent).
func TestSpansOnRealCalls(t *testing.T) {
	t.Parallel()
	for _, deferred := range []bool{false, true} {
		t.Run(fmt.Sprintf("deferred=%v", deferred), func(t *testing.T) {
			t.Parallel()
			d := setupDB(t)
			spans := tracetest.NewSpanRecorder()
			tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
			var o normobserve.Observer = otel.New(otel.Config{TracerProvider: tp, Database: "e2e"})
			flush := func() error { return nil }
			if deferred {
				behind := normobserve.NewDeferred(normobserve.DeferredConfig{Observers: []normobserve.Observer{o}, FlushInterval: time.Hour})
				o, flush = behind, func() error { return behind.Close(context.Background()) }
			}
			conn := newHarness("primary", o).conn(t, d)
			ctx, handler := tp.Tracer("e2e").Start(testCtx(t), "handler")
			if _, err := conn.Exec(ctx, insertSQL, insertArgs(1, secretEmail)...); err != nil {
				t.Fatal(err)
			}
			_, dupErr := conn.Exec(ctx, insertSQL, insertArgs(1, secretEmail)...)
			handler.End()
			if err := flush(); err != nil {
				t.Fatal(err)
			}
			var inserts []sdktrace.ReadOnlySpan
			var prepare sdktrace.ReadOnlySpan
			for _, s := range spans.Ended() {
				switch s.Name() {
				case "INSERT":
					inserts = append(inserts, s)
				case "PREPARE":
					prepare = s
				}
			}
			if len(inserts) != 2 || prepare == nil {
				t.Fatalf("spans: %d INSERT, prepare %v; want 2 and one", len(inserts), prepare != nil)
			}
			for _, s := range inserts {
				if s.Parent().SpanID() != handler.SpanContext().SpanID() {
					t.Errorf("INSERT span's parent is %v, want the handler span", s.Parent().SpanID())
				}
			}
			// Behind Deferred the failed INSERT is recorded at once, so
			// before the first one: tell them apart by status.
			first, failed := inserts[0], inserts[1]
			if first.Status().Code == codes.Error {
				first, failed = failed, first
			}
			wantPrepareParent := first.SpanContext().SpanID() // live: inside the first INSERT
			if deferred {
				wantPrepareParent = handler.SpanContext().SpanID() // deferred: its sibling
			}
			if prepare.Parent().SpanID() != wantPrepareParent {
				t.Errorf("PREPARE span's parent is %v, want %v", prepare.Parent().SpanID(), wantPrepareParent)
			}
			if dupErr == nil || failed.Status().Code != codes.Error || first.Status().Code == codes.Error {
				t.Errorf("duplicate insert: err %v, span statuses %+v, %+v", dupErr, first.Status(), failed.Status())
			}
			if leaks := findSecrets(failed.Status().Description); len(leaks) > 0 {
				t.Errorf("span status leaks %v", leaks)
			}
		})
	}
}

func canceledCtx(ctx context.Context) context.Context {
	ctx, cancel := context.WithCancel(ctx)
	cancel()
	return ctx
}
