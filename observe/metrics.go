package observe

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// QueryMetric is one finished call as seen by Metrics. Every string is a
// bounded label: no raw SQL, no values.
type QueryMetric struct {
	// Op is the operation kind: select, insert, update, delete, other,
	// batch, copy, prepare or connect.
	Op string
	// Fingerprint identifies the normalised statement (see Statement); empty
	// for copy and connect.
	Fingerprint string
	// Outcome is OutcomeOK, OutcomeError, OutcomeNoRows or OutcomeCanceled.
	Outcome  string
	Endpoint string
	Duration time.Duration
	Rows     int64
}

// PoolStats is a snapshot of a pgxpool.Pool's counters and gauges, for
// one endpoint. See PoolStatsOf.
type PoolStats struct {
	Endpoint             string        `json:"endpoint"`
	TotalConns           int32         `json:"total_conns"`
	IdleConns            int32         `json:"idle_conns"`
	AcquiredConns        int32         `json:"acquired_conns"`
	ConstructingConns    int32         `json:"constructing_conns"`
	MaxConns             int32         `json:"max_conns"`
	AcquireCount         int64         `json:"acquire_count"`
	EmptyAcquireCount    int64         `json:"empty_acquire_count"`
	CanceledAcquireCount int64         `json:"canceled_acquire_count"`
	AcquireDuration      time.Duration `json:"acquire_duration_ns"`
	NewConnsCount        int64         `json:"new_conns_count"`
}

// PoolStatsOf copies the figures of pgxpool's Stat into a PoolStats.
func PoolStatsOf(endpoint string, s *pgxpool.Stat) PoolStats {
	return PoolStats{
		Endpoint:             endpoint,
		TotalConns:           s.TotalConns(),
		IdleConns:            s.IdleConns(),
		AcquiredConns:        s.AcquiredConns(),
		ConstructingConns:    s.ConstructingConns(),
		MaxConns:             s.MaxConns(),
		AcquireCount:         s.AcquireCount(),
		EmptyAcquireCount:    s.EmptyAcquireCount(),
		CanceledAcquireCount: s.CanceledAcquireCount(),
		AcquireDuration:      s.AcquireDuration(),
		NewConnsCount:        s.NewConnsCount(),
	}
}

// Metrics receives measurements. Implementations must be safe for
// concurrent use and cheap: ObserveQuery runs on every call. The expvar
// adapter (NewExpvar) and the Prometheus adapter (package observe/prom)
// implement it; other norm modules (pool) call BreakerStateChange and Retry
// through an interface of their own that this one satisfies.
type Metrics interface {
	// ObserveQuery records one finished query, batch, COPY, prepare or
	// connect: its duration by operation and outcome, and its rows.
	ObserveQuery(q QueryMetric)
	// Error counts one failure by operation and SQLSTATE class ("23",
	// "40", ... or "client" for errors that did not come from the server).
	Error(op, class string)
	// AcquireWait records the time spent waiting for a pooled connection.
	AcquireWait(endpoint string, d time.Duration)
	// PoolStats publishes the gauges of one pool.
	PoolStats(s PoolStats)
	// BreakerStateChange counts a circuit breaker transition.
	BreakerStateChange(endpoint, from, to string)
	// Retry counts one retried operation.
	Retry(op string)
}

// MetricsObserver returns an Observer that feeds m: every event but
// releases goes to ObserveQuery (acquires to AcquireWait instead), and
// failures also to Error.
func MetricsObserver(m Metrics) Observer {
	return metricsObserver{m: m}
}

type metricsObserver struct{ m Metrics }

// Observes implements KindFilter: releases carry nothing to measure.
func (o metricsObserver) Observes(k Kind) bool { return k != KindRelease }

func (o metricsObserver) Observe(_ context.Context, e *Event) {
	switch e.Kind {
	case KindRelease:
		return
	case KindAcquire:
		o.m.AcquireWait(e.Endpoint, e.Duration)
	default:
		q := QueryMetric{
			Op:       e.Op(),
			Outcome:  e.Outcome(),
			Endpoint: e.Endpoint,
			Duration: e.Duration,
			Rows:     e.Rows,
		}
		if e.Statement != nil {
			q.Fingerprint = e.Statement.Fingerprint
		}
		o.m.ObserveQuery(q)
	}
	if class := e.ErrorClass(); class != "" {
		o.m.Error(e.Op(), class)
	}
}

// ReportPoolStats publishes the stats of pool to m every interval until
// ctx is done, and once more right away. It blocks; run it in a goroutine
// you own. An interval of zero or less means 10s.
func ReportPoolStats(ctx context.Context, m Metrics, endpoint string, pool *pgxpool.Pool, interval time.Duration) {
	if interval <= 0 {
		interval = 10 * time.Second
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		m.PoolStats(PoolStatsOf(endpoint, pool.Stat()))
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
