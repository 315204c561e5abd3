package prom

import (
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/normkit/norm/observe"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Options configures New.
type Options struct {
	// Namespace and Subsystem prefix every metric name. Defaults: "norm"
	// and "db".
	Namespace, Subsystem string

	// Buckets are the histogram buckets in seconds for query durations and
	// acquire waits. Default: 0.5ms to 10s, roughly doubling.
	Buckets []float64

	// NoFingerprint drops the fingerprint label from the duration
	// histogram, for applications with very many distinct statements.
	NoFingerprint bool
}

// DefaultBuckets are the histogram buckets used when Options.Buckets is nil.
var DefaultBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// Metrics implements observe.Metrics with Prometheus collectors.
//
// The series a query lands in are cached by label values in sync.Maps
// (lock-free reads, no allocation for a struct key), because looking them
// up in client_golang hashes and validates every label value on each call,
// which was half the cost of ObserveQuery.
type Metrics struct {
	queryCache    sync.Map // seriesKey -> *boxed[queryChildren]
	acquireCache  sync.Map // endpoint -> *boxed[prometheus.Observer]
	noFingerprint bool
	duration      *prometheus.HistogramVec
	rows          *prometheus.CounterVec
	errors        *prometheus.CounterVec
	acquire       *prometheus.HistogramVec
	conns         *prometheus.GaugeVec
	acquires      *prometheus.GaugeVec
	breaker       *prometheus.CounterVec
	retries       *prometheus.CounterVec
}

var _ observe.Metrics = (*Metrics)(nil)

// New creates the collectors and registers them with reg
// (prometheus.DefaultRegisterer when nil). Registering twice with the same
// options is fine: the collectors already registered are reused, so two
// Metrics built on one registry count into the same series. Collectors
// clashing with different label sets are an error.
func New(reg prometheus.Registerer, opts Options) (*Metrics, error) {
	if reg == nil {
		reg = prometheus.DefaultRegisterer
	}
	if opts.Namespace == "" {
		opts.Namespace = "norm"
	}
	if opts.Subsystem == "" {
		opts.Subsystem = "db"
	}
	if opts.Buckets == nil {
		opts.Buckets = DefaultBuckets
	}
	m := &Metrics{noFingerprint: opts.NoFingerprint}
	durLabels := []string{"op", "fingerprint", "outcome", "endpoint"}
	if opts.NoFingerprint {
		durLabels = []string{"op", "outcome", "endpoint"}
	}
	b := builder{reg: reg, opts: opts}
	m.duration = b.histogram("query_duration_seconds", "Duration of database calls.", durLabels)
	m.rows = b.counter("rows_total", "Rows returned or affected.", "op", "endpoint")
	m.errors = b.counter("errors_total", "Failed database calls by SQLSTATE class.", "op", "class")
	m.acquire = b.histogram("pool_acquire_wait_seconds", "Time spent waiting for a pooled connection.", []string{"endpoint"})
	m.conns = b.gauge("pool_conns", "Connections in the pool by state.", "endpoint", "state")
	m.acquires = b.gauge("pool_acquires", "Cumulative acquire counters reported by pgxpool.", "endpoint", "kind")
	m.breaker = b.counter("breaker_transitions_total", "Circuit breaker state changes.", "endpoint", "from", "to")
	m.retries = b.counter("retries_total", "Retried operations.", "op")
	if b.err != nil {
		return nil, b.err
	}
	return m, nil
}

// builder registers collectors, keeps the first error and reuses
// collectors already registered.
type builder struct {
	reg  prometheus.Registerer
	opts Options
	err  error
}

func (b *builder) register(c prometheus.Collector, name string) prometheus.Collector {
	if b.err != nil {
		return c
	}
	err := b.reg.Register(c)
	if err == nil {
		return c
	}
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		return are.ExistingCollector
	}
	b.err = fmt.Errorf("prom: register %s: %w", name, err)
	return c
}

func (b *builder) histogram(name, help string, labels []string) *prometheus.HistogramVec {
	return registerAs(b, name, prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: b.opts.Namespace, Subsystem: b.opts.Subsystem, Name: name, Help: help, Buckets: b.opts.Buckets,
	}, labels))
}

func (b *builder) counter(name, help string, labels ...string) *prometheus.CounterVec {
	return registerAs(b, name, prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: b.opts.Namespace, Subsystem: b.opts.Subsystem, Name: name, Help: help,
	}, labels))
}

func (b *builder) gauge(name, help string, labels ...string) *prometheus.GaugeVec {
	return registerAs(b, name, prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Namespace: b.opts.Namespace, Subsystem: b.opts.Subsystem, Name: name, Help: help,
	}, labels))
}

// registerAs registers c, or returns the collector of the same kind
// already registered under its name; a collector of another kind there is
// an error (recorded in b) and c is returned unregistered.
func registerAs[C prometheus.Collector](b *builder, name string, c C) C {
	got, ok := b.register(c, name).(C)
	if !ok {
		b.fail(name)
		return c
	}
	return got
}

func (b *builder) fail(name string) {
	if b.err == nil {
		b.err = fmt.Errorf("prom: %s is already registered as a different kind of collector", name)
	}
}

type seriesKey struct{ op, fingerprint, outcome, endpoint string }

// ObserveQuery implements observe.Metrics.
func (m *Metrics) ObserveQuery(q observe.QueryMetric) {
	s := m.querySeries(q)
	s.duration.Observe(q.Duration.Seconds())
	if q.Rows > 0 {
		s.rows.Add(float64(q.Rows))
	}
}

// queryChildren are the series one kind of call feeds, found with one
// lookup per call.
type queryChildren struct {
	duration prometheus.Observer
	rows     prometheus.Counter
}

func (m *Metrics) querySeries(q observe.QueryMetric) queryChildren {
	k := seriesKey{op: q.Op, fingerprint: q.Fingerprint, outcome: q.Outcome, endpoint: q.Endpoint}
	if m.noFingerprint {
		k.fingerprint = ""
	}
	return series(&m.queryCache, k, func() queryChildren {
		c := queryChildren{rows: m.rows.WithLabelValues(k.op, k.endpoint)}
		if m.noFingerprint {
			c.duration = m.duration.WithLabelValues(k.op, k.outcome, k.endpoint)
		} else {
			c.duration = m.duration.WithLabelValues(k.op, k.fingerprint, k.outcome, k.endpoint)
		}
		return c
	})
}

// series returns the child of a vector cached under k in cache, making it
// with child on first use: WithLabelValues hashes every label on every
// call, a cache hit only the key. Children are stored boxed in a concrete
// type, because asserting an interface type out of the map costs an itab
// lookup on every call.
func series[K comparable, V any](cache *sync.Map, k K, child func() V) V {
	if v, ok := cache.Load(k); ok {
		return v.(*boxed[V]).v
	}
	v, _ := cache.LoadOrStore(k, &boxed[V]{child()})
	return v.(*boxed[V]).v
}

type boxed[V any] struct{ v V }

// Error implements observe.Metrics.
func (m *Metrics) Error(op, class string) { m.errors.WithLabelValues(op, class).Inc() }

// AcquireWait implements observe.Metrics.
func (m *Metrics) AcquireWait(endpoint string, d time.Duration) {
	series(&m.acquireCache, endpoint, func() prometheus.Observer {
		return m.acquire.WithLabelValues(endpoint)
	}).Observe(d.Seconds())
}

// PoolStats implements observe.Metrics.
func (m *Metrics) PoolStats(s observe.PoolStats) {
	for state, v := range map[string]int32{
		"total": s.TotalConns, "idle": s.IdleConns, "acquired": s.AcquiredConns,
		"constructing": s.ConstructingConns, "max": s.MaxConns,
	} {
		m.conns.WithLabelValues(s.Endpoint, state).Set(float64(v))
	}
	for kind, v := range map[string]int64{
		"all": s.AcquireCount, "empty": s.EmptyAcquireCount,
		"canceled": s.CanceledAcquireCount, "new_conns": s.NewConnsCount,
	} {
		m.acquires.WithLabelValues(s.Endpoint, kind).Set(float64(v))
	}
}

// BreakerStateChange implements observe.Metrics.
func (m *Metrics) BreakerStateChange(endpoint, from, to string) {
	m.breaker.WithLabelValues(endpoint, from, to).Inc()
}

// Retry implements observe.Metrics.
func (m *Metrics) Retry(op string) { m.retries.WithLabelValues(op).Inc() }

// Handler serves the metrics gathered by g (prometheus.DefaultGatherer
// when nil) in the Prometheus text format; mount it as /metrics or hand it
// to observe.HandlerConfig.Metrics.
func Handler(g prometheus.Gatherer) http.Handler {
	if g == nil {
		g = prometheus.DefaultGatherer
	}
	return promhttp.HandlerFor(g, promhttp.HandlerOpts{})
}
