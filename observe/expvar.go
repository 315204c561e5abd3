package observe

import (
	"encoding/json"
	"expvar"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultExpvarName is the expvar name NewExpvar publishes under when given "".
const DefaultExpvarName = "norm_db"

// Expvar is a Metrics implementation with no dependencies: it keeps
// counters in memory and shows them as one JSON object on the expvar page
// (/debug/vars). Counters by operation and outcome are plain atomics;
// per-statement and per-endpoint timers sit in a timerSet, the other
// counters in sync.Maps.
type Expvar struct {
	queries    [len(expvarOps)][len(expvarOutcomes)]timer
	rows       [len(expvarOps)]atomic.Int64
	statements timerSet // by fingerprint
	errors     sync.Map // op + " " + class -> *atomic.Int64
	acquire    timerSet // by endpoint
	pools      sync.Map // endpoint -> PoolStats
	breaker    sync.Map // endpoint + " " + from + "->" + to -> *atomic.Int64
	retries    sync.Map // op -> *atomic.Int64
}

var (
	expvarOps      = [...]string{OpSelect, OpInsert, OpUpdate, OpDelete, OpOther, OpBatch, OpCopy, OpPrepare, OpConnect, "unknown"}
	expvarOutcomes = [...]string{OutcomeOK, OutcomeError, OutcomeNoRows, OutcomeCanceled}
)

// timer counts events and their total duration.
type timer struct {
	count atomic.Int64
	nanos atomic.Int64
}

func (t *timer) add(d time.Duration) {
	t.count.Add(1)
	t.nanos.Add(int64(d))
}

func (t *timer) snapshot() map[string]any {
	return map[string]any{"count": t.count.Load(), "seconds": time.Duration(t.nanos.Load()).Seconds()}
}

var _ Metrics = (*Expvar)(nil)

// NewExpvar publishes a new Expvar under name (DefaultExpvarName when
// empty) in the expvar registry and returns it. Nothing is published until
// it is called. Calling it again with the same name returns the Expvar
// already published, since expvar names cannot be replaced; a name taken
// by a variable of another type is an error.
func NewExpvar(name string) (*Expvar, error) {
	if name == "" {
		name = DefaultExpvarName
	}
	if x, ok := expvar.Get(name).(*Expvar); ok {
		return x, nil
	}
	x := &Expvar{}
	if err := publish(name, x); err != nil {
		if existing, ok := expvar.Get(name).(*Expvar); ok {
			return existing, nil // lost a race with another constructor
		}
		return nil, err
	}
	return x, nil
}

// publish turns expvar.Publish's panic on a duplicate name into an error.
func publish(name string, v expvar.Var) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("observe: expvar name %q is already published by another variable", name)
		}
	}()
	expvar.Publish(name, v)
	return nil
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return len(list) - 1
}

func counter(m *sync.Map, key string) *atomic.Int64 {
	if v, ok := m.Load(key); ok {
		return v.(*atomic.Int64)
	}
	v, _ := m.LoadOrStore(key, new(atomic.Int64))
	return v.(*atomic.Int64)
}

func timerFor(m *sync.Map, key string) *timer {
	if v, ok := m.Load(key); ok {
		return v.(*timer)
	}
	v, _ := m.LoadOrStore(key, new(timer))
	return v.(*timer)
}

// ObserveQuery implements Metrics.
func (x *Expvar) ObserveQuery(q QueryMetric) {
	op := indexOf(expvarOps[:], q.Op)
	outcome := indexOf(expvarOutcomes[:], q.Outcome)
	x.queries[op][outcome].add(q.Duration)
	x.rows[op].Add(q.Rows)
	if q.Fingerprint != "" {
		x.statements.get(q.Fingerprint).add(q.Duration)
	}
}

// Error implements Metrics.
func (x *Expvar) Error(op, class string) { counter(&x.errors, op+" "+class).Add(1) }

// AcquireWait implements Metrics.
func (x *Expvar) AcquireWait(endpoint string, d time.Duration) {
	x.acquire.get(endpoint).add(d)
}

// PoolStats implements Metrics.
func (x *Expvar) PoolStats(s PoolStats) { x.pools.Store(s.Endpoint, s) }

// BreakerStateChange implements Metrics.
func (x *Expvar) BreakerStateChange(endpoint, from, to string) {
	counter(&x.breaker, endpoint+" "+from+"->"+to).Add(1)
}

// Retry implements Metrics.
func (x *Expvar) Retry(op string) { counter(&x.retries, op).Add(1) }

// String implements expvar.Var: the counters as one JSON object.
func (x *Expvar) String() string {
	b, err := json.Marshal(x.Snapshot())
	if err != nil {
		return "{}"
	}
	return string(b)
}

// Snapshot returns the current counters as nested maps, the shape shown on
// the expvar page: queries[op][outcome] {count, seconds}, rows[op],
// statements[fingerprint] {count, seconds}, errors["op class"],
// acquire[endpoint] {count, seconds}, pools[endpoint], breaker["endpoint
// from->to"], retries[op]. Entries that were never touched are left out.
func (x *Expvar) Snapshot() map[string]any {
	queries := map[string]any{}
	rows := map[string]int64{}
	for i, op := range expvarOps {
		byOutcome := map[string]any{}
		for j, outcome := range expvarOutcomes {
			if t := &x.queries[i][j]; t.count.Load() > 0 {
				byOutcome[outcome] = t.snapshot()
			}
		}
		if len(byOutcome) > 0 {
			queries[op] = byOutcome
			rows[op] = x.rows[i].Load()
		}
	}
	return map[string]any{
		"queries":    queries,
		"rows":       rows,
		"statements": timers(&x.statements.all),
		"errors":     counters(&x.errors),
		"acquire":    timers(&x.acquire.all),
		"pools":      pools(&x.pools),
		"breaker":    counters(&x.breaker),
		"retries":    counters(&x.retries),
	}
}

func timers(m *sync.Map) map[string]any {
	out := map[string]any{}
	m.Range(func(k, v any) bool {
		out[k.(string)] = v.(*timer).snapshot()
		return true
	})
	return out
}

func counters(m *sync.Map) map[string]int64 {
	out := map[string]int64{}
	m.Range(func(k, v any) bool {
		out[k.(string)] = v.(*atomic.Int64).Load()
		return true
	})
	return out
}

func pools(m *sync.Map) map[string]PoolStats {
	out := map[string]PoolStats{}
	m.Range(func(k, v any) bool {
		out[k.(string)] = v.(PoolStats)
		return true
	})
	return out
}
