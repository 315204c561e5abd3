package pool

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// endpoint is one server (the primary or a replica): its pool, its breaker
// and what the health loop last saw. Routing reads the atomics only.
type endpoint struct {
	name    string // "primary" or "replica[i]"
	addr    string // host:port
	label   string // name plus address, for errors and reports
	replica bool
	pool    *pgxpool.Pool
	br      *breaker
	probe   *pgx.ConnConfig // for the health loop's own connection
	prober  prober

	up           atomic.Bool
	inRecovery   atomic.Bool
	latency      atomic.Int64  // nanoseconds of the last probe
	lagBytes     atomic.Int64  // replicas: max(primary flush, receive) - replay
	lagNanos     atomic.Int64  // replicas' own view: replay delay, 0 when receive == replay
	replayLSN    atomic.Uint64 // last replayed WAL position (replicas)
	lag          lagTracker    // replicas: primary positions not yet replayed (lag.go)
	walLSN       atomic.Uint64 // primary: WAL flush position at its last probe
	walAt        atomic.Int64  // primary: when walLSN was read, unix nanoseconds
	checkedAt    atomic.Int64  // unix nanoseconds of the last probe
	lastErr      atomic.Pointer[string]
	suspectUntil atomic.Int64           // unix nanoseconds: until then idle connections are pinged before use
	recheckNow   chan struct{}          // wakes the health loop (role re-check)
	serving      atomic.Pointer[string] // address of the server of the last connection made
}

// connected records which server a new connection reached: with a
// multi-host DSN it is the one that met target_session_attrs, so Health
// names the server that serves now (the promoted one after a failover).
func (e *endpoint) connected(c *pgx.Conn) {
	if addr := c.PgConn().Conn().RemoteAddr(); addr != nil {
		s := addr.String()
		if cur := e.serving.Load(); cur == nil || *cur != s {
			e.serving.Store(&s)
		}
	}
}

// serverAddr is the address of the server e's connections reach: the
// last one connected to, or the configured one before any.
func (e *endpoint) serverAddr() string {
	if s := e.serving.Load(); s != nil {
		return *s
	}
	return e.addr
}

// suspectWindow is how long after a lost connection idle connections are
// pinged before use.
const suspectWindow = time.Second

func newEndpoint(ec endpointConfig, replica bool, bc BreakerConfig) *endpoint {
	label := ec.name + " (" + ec.addr + ")"
	e := &endpoint{
		name:       ec.name,
		addr:       ec.addr,
		label:      label,
		replica:    replica,
		br:         newBreaker(label, roleOf(replica), bc),
		probe:      ec.pool.ConnConfig.Copy(),
		recheckNow: make(chan struct{}, 1),
	}
	e.br.onLost = e.lost
	e.br.onHalfOpen = e.recheck
	return e
}

// roleOf names an endpoint's role with a bounded label.
func roleOf(replica bool) string {
	if replica {
		return EndpointReplica
	}
	return EndpointPrimary
}

// lost reacts to an established connection ending under a statement
// (terminated backend, server restart, network cut). Its idle siblings
// were most likely cut by the same event, and handing them out one by one
// would spend every retry on a dead connection; so for suspectWindow every
// idle connection is pinged before use (pgxpool drops the dead ones), and
// the health loop probes at once.
func (e *endpoint) lost() {
	e.suspectUntil.Store(time.Now().Add(suspectWindow).UnixNano())
	e.recheck()
}

// shouldPing is pgxpool's ShouldPing: its default (idle for over a second),
// and every idle connection while the endpoint is suspect. Outside that
// window it costs one atomic load.
func (e *endpoint) shouldPing(_ context.Context, p pgxpool.ShouldPingParams) bool {
	if p.IdleDuration > time.Second {
		return true
	}
	until := e.suspectUntil.Load()
	if until == 0 {
		return false
	}
	if time.Now().UnixNano() < until {
		return true
	}
	e.suspectUntil.CompareAndSwap(until, 0)
	return false
}

// servesReads reports whether routing may send a read here: up, breaker not
// open, lag within bound, and (for read-your-writes) replayed past needLSN.
// The lag bound is checked as of now, against the moment since which the
// replica is known to miss data the primary had (lag.go), so a replica
// that stops replaying leaves the rotation MaxReplicaLag after the first
// probe of the primary that saw it behind, not at its own next probe.
func (e *endpoint) servesReads(maxLag time.Duration, needLSN uint64) bool {
	if !e.up.Load() || !e.br.routable() || time.Duration(e.lagNanos.Load()) > maxLag || e.replayLSN.Load() < needLSN {
		return false
	}
	since := e.lag.since.Load()
	return since == 0 || staleFor(since, time.Now()) <= maxLag
}

// primaryAt returns the primary's WAL flush position at its last probe.
func (e *endpoint) primaryAt() lsnAt {
	return lsnAt{lsn: e.walLSN.Load(), at: e.walAt.Load()}
}

// recheck asks the health loop to probe now (non-blocking).
func (e *endpoint) recheck() {
	select {
	case e.recheckNow <- struct{}{}:
	default:
	}
}
