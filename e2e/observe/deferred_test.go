package observe

import (
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	normobserve "github.com/normkit/norm/observe"
	"github.com/normkit/norm/observe/prom"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
)

// TestDeferredOnRealCalls puts a logger and Prometheus metrics behind
// observe.Deferred on a real pool: a failed call is logged and counted at
// once, with its masked arguments; successful calls only at the flush
// (here Flush), with the fields of their context and without argument
// shapes.
func TestDeferredOnRealCalls(t *testing.T) {
	t.Parallel()
	d := setupDB(t)
	harnesses.Add(1)
	logs := &lockedBuffer{}
	logger := zerolog.New(io.MultiWriter(logs, &allLogs)).Level(zerolog.DebugLevel)
	reg := prometheus.NewRegistry()
	metrics, err := prom.New(reg, prom.Options{})
	if err != nil {
		t.Fatal(err)
	}
	deferred := normobserve.NewDeferred(normobserve.DeferredConfig{
		Observers:     []normobserve.Observer{normobserve.NewLogger(logger, normobserve.LogConfig{}), normobserve.MetricsObserver(metrics)},
		FlushInterval: time.Hour,
	})
	t.Cleanup(func() { _ = deferred.Close(context.Background()) })
	h := &harness{tracer: normobserve.New(normobserve.Config{Observers: []normobserve.Observer{deferred}, Endpoint: "primary"})}
	p := h.pool(t, d)
	ctx := normobserve.WithCorrelationID(testCtx(t), "corr-deferred")
	if _, err := p.Exec(ctx, insertSQL, insertArgs(1, secretEmail)...); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Exec(ctx, insertSQL, insertArgs(1, secretEmail)...); err == nil {
		t.Fatal("the duplicate insert succeeded")
	}
	scrape := func() string {
		rec := httptest.NewRecorder()
		prom.Handler(reg).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
		return rec.Body.String()
	}

	before := logLines(t, logs.String())
	if len(before) != 1 || before[0]["message"] != "query failed" || before[0]["sqlstate"] != "23505" || before[0]["args"] == nil {
		t.Fatalf("before the flush, want the failed query's line alone, with its masked args; got %v", before)
	}
	if m := scrape(); !strings.Contains(m, `op="insert",outcome="error"} 1`) || strings.Contains(m, `op="insert",outcome="ok"}`) {
		t.Errorf("before the flush, want the failure counted and the success not yet:\n%s", m)
	}

	if err := deferred.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	var ok map[string]any
	for _, l := range logLines(t, logs.String()) {
		if l["message"] == "query" && l["op"] == "insert" {
			ok = l
		}
	}
	if ok == nil || ok["correlation_id"] != "corr-deferred" || ok["endpoint"] != "primary" {
		t.Fatalf("after the flush, want the successful insert's line with the context's fields; got %v", ok)
	}
	if _, has := ok["args"]; has {
		t.Errorf("a deferred line has argument shapes (the event was to drop its Args): %v", ok)
	}
	if m := scrape(); !strings.Contains(m, `op="insert",outcome="ok"} 1`) {
		t.Errorf("after the flush, the success is not counted:\n%s", m)
	}
	if deferred.Dropped() != 0 {
		t.Errorf("%d events dropped", deferred.Dropped())
	}
}

// logLines decodes JSON log lines.
func logLines(t *testing.T, s string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("bad line %q: %v", line, err)
		}
		lines = append(lines, m)
	}
	return lines
}
