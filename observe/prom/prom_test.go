package prom_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/normkit/norm/observe"
	"github.com/normkit/norm/observe/prom"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestMetrics(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	m, err := prom.New(reg, prom.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m.ObserveQuery(observe.QueryMetric{Op: "select", Fingerprint: "abc", Outcome: "ok", Endpoint: "primary", Duration: 2 * time.Millisecond, Rows: 3})
	m.ObserveQuery(observe.QueryMetric{Op: "select", Fingerprint: "abc", Outcome: "ok", Endpoint: "primary", Duration: time.Millisecond, Rows: 1})
	m.Error("insert", "23")
	m.AcquireWait("primary", time.Millisecond)
	m.PoolStats(observe.PoolStats{Endpoint: "primary", TotalConns: 5, IdleConns: 2, AcquireCount: 9})
	m.BreakerStateChange("replica", "closed", "open")
	m.Retry("select")

	want := `
# HELP norm_db_rows_total Rows returned or affected.
# TYPE norm_db_rows_total counter
norm_db_rows_total{endpoint="primary",op="select"} 4
# HELP norm_db_errors_total Failed database calls by SQLSTATE class.
# TYPE norm_db_errors_total counter
norm_db_errors_total{class="23",op="insert"} 1
# HELP norm_db_breaker_transitions_total Circuit breaker state changes.
# TYPE norm_db_breaker_transitions_total counter
norm_db_breaker_transitions_total{endpoint="replica",from="closed",to="open"} 1
# HELP norm_db_retries_total Retried operations.
# TYPE norm_db_retries_total counter
norm_db_retries_total{op="select"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want),
		"norm_db_rows_total", "norm_db_errors_total", "norm_db_breaker_transitions_total", "norm_db_retries_total"); err != nil {
		t.Error(err)
	}
	if n := testutil.CollectAndCount(reg, "norm_db_query_duration_seconds"); n != 1 {
		t.Errorf("duration series = %d, want 1", n)
	}
	if n := testutil.CollectAndCount(reg, "norm_db_pool_conns"); n != 5 {
		t.Errorf("pool_conns series = %d, want 5 states", n)
	}
	rec := httptest.NewRecorder()
	prom.Handler(reg).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	body := rec.Body.String()
	if !strings.Contains(body, `norm_db_query_duration_seconds_count{endpoint="primary",fingerprint="abc",op="select",outcome="ok"} 2`) {
		t.Errorf("exposition lacks the duration histogram:\n%s", body)
	}
	if !strings.Contains(body, `norm_db_pool_conns{endpoint="primary",state="idle"} 2`) {
		t.Errorf("exposition lacks pool gauges")
	}
}

func TestNewTwiceSharesSeries(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	a, err := prom.New(reg, prom.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := prom.New(reg, prom.Options{})
	if err != nil {
		t.Fatalf("second New on one registry: %v", err)
	}
	a.Retry("x")
	b.Retry("x")
	want := "# HELP norm_db_retries_total Retried operations.\n# TYPE norm_db_retries_total counter\nnorm_db_retries_total{op=\"x\"} 2\n"
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "norm_db_retries_total"); err != nil {
		t.Error(err)
	}
}

func TestNewConflictingLabels(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	if _, err := prom.New(reg, prom.Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := prom.New(reg, prom.Options{NoFingerprint: true}); err == nil {
		t.Error("want an error registering the histogram with other labels")
	}
}

func TestNoFingerprint(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	m, err := prom.New(reg, prom.Options{NoFingerprint: true, Namespace: "app", Subsystem: "pg"})
	if err != nil {
		t.Fatal(err)
	}
	m.ObserveQuery(observe.QueryMetric{Op: "select", Fingerprint: "abc", Outcome: "ok"})
	rec := httptest.NewRecorder()
	prom.Handler(reg).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if body := rec.Body.String(); !strings.Contains(body, `app_pg_query_duration_seconds_count{endpoint="",op="select",outcome="ok"} 1`) || strings.Contains(body, "fingerprint") {
		t.Errorf("exposition:\n%s", body)
	}
}
