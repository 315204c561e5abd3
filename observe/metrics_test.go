package observe

import (
	"context"
	"encoding/json"
	"expvar"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// metricsCall is one recorded call on fakeMetrics.
type metricsCall struct {
	method string
	q      QueryMetric
	args   [3]string
	d      time.Duration
}

type fakeMetrics struct{ calls []metricsCall }

func (f *fakeMetrics) ObserveQuery(q QueryMetric) {
	f.calls = append(f.calls, metricsCall{method: "ObserveQuery", q: q})
}
func (f *fakeMetrics) Error(op, class string) {
	f.calls = append(f.calls, metricsCall{method: "Error", args: [3]string{op, class}})
}
func (f *fakeMetrics) AcquireWait(endpoint string, d time.Duration) {
	f.calls = append(f.calls, metricsCall{method: "AcquireWait", args: [3]string{endpoint}, d: d})
}
func (f *fakeMetrics) PoolStats(PoolStats) {}
func (f *fakeMetrics) BreakerStateChange(endpoint, from, to string) {
	f.calls = append(f.calls, metricsCall{method: "BreakerStateChange", args: [3]string{endpoint, from, to}})
}
func (f *fakeMetrics) Retry(op string) {
	f.calls = append(f.calls, metricsCall{method: "Retry", args: [3]string{op}})
}

func TestMetricsObserver(t *testing.T) {
	t.Parallel()
	st := &Statement{SQL: "DELETE FROM t WHERE id = $1", Op: OpDelete, Fingerprint: "fp1"}
	tests := []struct {
		name string
		ev   Event
		want []metricsCall
	}{
		{"success", Event{Kind: KindQuery, Statement: st, Duration: time.Millisecond, Rows: 3, Endpoint: "primary"},
			[]metricsCall{{method: "ObserveQuery", q: QueryMetric{Op: OpDelete, Fingerprint: "fp1", Outcome: OutcomeOK, Endpoint: "primary", Duration: time.Millisecond, Rows: 3}}}},
		{"server error", Event{Kind: KindQuery, Statement: st, Err: &pgconn.PgError{Code: "23503"}},
			[]metricsCall{
				{method: "ObserveQuery", q: QueryMetric{Op: OpDelete, Fingerprint: "fp1", Outcome: OutcomeError}},
				{method: "Error", args: [3]string{OpDelete, "23"}},
			}},
		{"no rows is not an error", Event{Kind: KindQuery, Statement: st, Err: errNoRowsWrapped},
			[]metricsCall{{method: "ObserveQuery", q: QueryMetric{Op: OpDelete, Fingerprint: "fp1", Outcome: OutcomeNoRows}}}},
		{"acquire", Event{Kind: KindAcquire, Duration: 4 * time.Millisecond, Endpoint: "replica"},
			[]metricsCall{{method: "AcquireWait", args: [3]string{"replica"}, d: 4 * time.Millisecond}}},
		{"release ignored", Event{Kind: KindRelease}, nil},
		{"copy", Event{Kind: KindCopy, Rows: 10},
			[]metricsCall{{method: "ObserveQuery", q: QueryMetric{Op: OpCopy, Outcome: OutcomeOK, Rows: 10}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := &fakeMetrics{}
			MetricsObserver(m).Observe(context.Background(), &tt.ev)
			if len(m.calls) != len(tt.want) {
				t.Fatalf("calls = %+v, want %+v", m.calls, tt.want)
			}
			for i := range tt.want {
				if m.calls[i] != tt.want[i] {
					t.Errorf("call %d = %+v, want %+v", i, m.calls[i], tt.want[i])
				}
			}
		})
	}
}

func TestExpvarPublishesOnceAndCounts(t *testing.T) {
	t.Parallel()
	name := "observe_test_" + t.Name()
	if expvar.Get(name) != nil {
		t.Fatal("published before construction")
	}
	a, err := NewExpvar(name)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewExpvar(name)
	if err != nil || a != b {
		t.Fatalf("second construction: %p %p %v, want the same Expvar", a, b, err)
	}
	a.ObserveQuery(QueryMetric{Op: OpSelect, Fingerprint: "fp", Outcome: OutcomeOK, Duration: time.Second, Rows: 5})
	a.ObserveQuery(QueryMetric{Op: OpSelect, Fingerprint: "fp", Outcome: OutcomeOK, Duration: time.Second, Rows: 1})
	a.Error(OpSelect, "23")
	a.AcquireWait("primary", time.Millisecond)
	a.PoolStats(PoolStats{Endpoint: "primary", TotalConns: 4})
	a.BreakerStateChange("primary", "closed", "open")
	a.Retry(OpSelect)
	var got struct {
		Queries map[string]map[string]struct {
			Count   int64
			Seconds float64
		}
		Rows       map[string]int64
		Statements map[string]struct{ Count int64 }
		Errors     map[string]int64
		Acquire    map[string]struct{ Count int64 }
		Pools      map[string]PoolStats
		Breaker    map[string]int64
		Retries    map[string]int64
	}
	if err := json.Unmarshal([]byte(expvar.Get(name).String()), &got); err != nil {
		t.Fatal(err)
	}
	if q := got.Queries["select"]["ok"]; q.Count != 2 || q.Seconds != 2 {
		t.Errorf("queries = %+v", got.Queries)
	}
	if got.Rows["select"] != 6 || got.Statements["fp"].Count != 2 || got.Errors["select 23"] != 1 ||
		got.Acquire["primary"].Count != 1 || got.Pools["primary"].TotalConns != 4 ||
		got.Breaker["primary closed->open"] != 1 || got.Retries["select"] != 1 {
		t.Errorf("snapshot = %+v", got)
	}
}

func TestExpvarNameTaken(t *testing.T) {
	t.Parallel()
	name := "observe_test_taken"
	expvar.NewInt(name)
	if _, err := NewExpvar(name); err == nil {
		t.Error("want an error for a name published by another variable")
	}
}

// TestExpvarCountsBeyondTheFastTimers: statements past the first
// fastTimers are counted as the others, concurrently (run with -race).
func TestExpvarCountsBeyondTheFastTimers(t *testing.T) {
	t.Parallel()
	x := &Expvar{}
	const keys = fastTimers + 100
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for i := range keys {
				x.ObserveQuery(QueryMetric{Op: OpSelect, Outcome: OutcomeOK, Fingerprint: fmt.Sprintf("%016x", i), Duration: time.Millisecond})
			}
		})
	}
	wg.Wait()
	stmts := x.Snapshot()["statements"].(map[string]any)
	if len(stmts) != keys {
		t.Fatalf("%d statements, want %d", len(stmts), keys)
	}
	for _, i := range []int{0, fastTimers - 1, fastTimers, keys - 1} {
		if got := stmts[fmt.Sprintf("%016x", i)].(map[string]any)["count"]; got != int64(4) {
			t.Errorf("statement %d counted %v times, want 4", i, got)
		}
	}
}
