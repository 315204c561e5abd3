package pool

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// probeSQL reads role, positions and lag in one round trip. On a replica:
// receive and replay positions, and the age of the last replayed
// transaction — which also grows on a replica of an idle primary, so it
// only counts while something is actually waiting to be replayed
// (receive > replay). On the primary: its WAL flush position, which
// replicas are measured against (lag.go): a replica whose stream is cut
// receives nothing, so its own view shows no lag at all.
const probeSQL = `SELECT pg_is_in_recovery(),
  COALESCE((pg_last_wal_receive_lsn() - '0/0'::pg_lsn)::int8, 0),
  COALESCE((pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::int8, 0),
  COALESCE(EXTRACT(epoch FROM now() - pg_last_xact_replay_timestamp())::float8, 0),
  CASE WHEN pg_is_in_recovery() THEN 0 ELSE (pg_current_wal_flush_lsn() - '0/0'::pg_lsn)::int8 END`

// prober owns an endpoint's health connection (one per endpoint, outside
// the pool, so a saturated pool does not read as a dead server).
type prober struct {
	mu   sync.Mutex
	conn *pgx.Conn
	live atomic.Pointer[pgconn.PgConn] // conn's, readable without mu by drop
}

type probeResult struct {
	inRecovery bool
	receiveLSN int64
	replayLSN  int64
	replayAge  float64
	flushLSN   int64 // primary only
	at         time.Time
	latency    time.Duration
}

// errProbeUnneeded is returned by prober.run when, once its turn came, the
// probe was no longer needed.
var errProbeUnneeded = errors.New("pool: probe no longer needed")

// run probes e through its health connection, one probe at a time. When
// unneeded is set and reports true once this probe's turn comes (a probe
// that ran meanwhile published what this one wanted to know), it returns
// errProbeUnneeded without a round trip.
func (p *prober) run(ctx context.Context, e *endpoint, unneeded func() bool) (probeResult, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if unneeded != nil && unneeded() {
		return probeResult{}, errProbeUnneeded
	}
	if err := p.connectLocked(ctx, e); err != nil {
		return probeResult{}, err
	}
	var r probeResult
	start := time.Now()
	err := p.conn.QueryRow(ctx, probeSQL).Scan(&r.inRecovery, &r.receiveLSN, &r.replayLSN, &r.replayAge, &r.flushLSN)
	r.at = time.Now()
	r.latency = r.at.Sub(start)
	if err != nil {
		p.closeLocked(ctx)
	}
	return r, err
}

// committedLSN reads, through e's health connection, a primary WAL
// position at or past every commit that returned before (committedLSNSQL).
func (p *prober) committedLSN(ctx context.Context, e *endpoint) (uint64, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.connectLocked(ctx, e); err != nil {
		return 0, err
	}
	var lsn int64
	if err := p.conn.QueryRow(ctx, committedLSNSQL).Scan(&lsn); err != nil {
		p.closeLocked(ctx)
		return 0, err
	}
	return uint64(max(lsn, 0)), nil
}

// connectLocked opens the health connection if there is none: untraced,
// outside the pool, with the simple protocol (nothing to prepare).
func (p *prober) connectLocked(ctx context.Context, e *endpoint) error {
	if p.conn != nil && !p.conn.IsClosed() {
		return nil
	}
	cfg := e.probe.Copy()
	cfg.Tracer = nil
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	p.conn = conn
	p.live.Store(conn.PgConn())
	e.connected(conn)
	return nil
}

// drop closes the health connection's socket without waiting for mu, so
// that a probe stuck on a server that does not answer ends at once.
func (p *prober) drop() {
	if c := p.live.Load(); c != nil {
		_ = c.Conn().Close() // the probe in flight sees the error
	}
}

func (p *prober) close(ctx context.Context) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closeLocked(ctx)
}

func (p *prober) closeLocked(ctx context.Context) {
	if p.conn != nil {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
		defer cancel()
		_ = p.conn.Close(ctx) // best effort: the server may be gone
		p.conn = nil
		p.live.Store(nil)
	}
}

// check probes e once (through its breaker, so a half-open breaker gets its
// probe even when no traffic arrives) and publishes the result. A probe
// that fails counts against the breaker — a timeout included, since a
// live server answers it in milliseconds — unless ctx was canceled (the
// DB is shutting down, or a caller of Health gave up).
func (db *DB) check(ctx context.Context, e *endpoint) error {
	t, refused := e.br.allow()
	r, err := e.prober.run(ctx, e, nil)
	switch {
	case refused == nil:
		e.br.finish(t, probeOutcome(ctx, err))
	case err == nil && r.inRecovery == e.replica:
		// Open, yet the server answers in its role again (restarted, or
		// promoted behind a multi-host DSN): no need to wait OpenTimeout.
		e.br.closeNow()
	}
	e.checkedAt.Store(time.Now().UnixNano())
	if err != nil {
		e.up.Store(false)
		msg := err.Error()
		e.lastErr.Store(&msg)
		return err
	}
	e.latency.Store(int64(r.latency))
	e.inRecovery.Store(r.inRecovery)
	e.up.Store(true)
	e.lastErr.Store(nil)
	db.publishLag(e, r)
	if !e.replica && r.inRecovery {
		// A demoted primary: drop its connections so the next ones follow
		// the DSN (multi-host with target_session_attrs=read-write).
		msg := "primary is in recovery (read-only); its connections were reset"
		e.lastErr.Store(&msg)
		e.pool.Reset()
	}
	return nil
}

// publishLag publishes what a probe of e saw. A probe of the primary
// records its WAL flush position and measures every replica's last known
// replay position against it, so that a replica that stopped replaying is
// found stale without waiting for its own probe. A probe of a replica
// measures it against the primary's last position.
func (db *DB) publishLag(e *endpoint, r probeResult) {
	if !e.replica {
		if r.inRecovery || r.flushLSN <= 0 {
			return
		}
		e.walLSN.Store(uint64(r.flushLSN))
		e.walAt.Store(r.at.UnixNano())
		for _, rep := range db.replicas {
			if rep.inRecovery.Load() {
				rep.lag.observe(e.primaryAt(), rep.replayLSN.Load())
			}
		}
		return
	}
	if !r.inRecovery {
		// Promoted: no longer follows the primary, so it must not serve
		// reads that expect to see the primary's writes.
		e.lagNanos.Store(math.MaxInt64)
		e.replayLSN.Store(0)
		e.lag.reset()
		return
	}
	replay := max(r.replayLSN, 0)
	var lag time.Duration
	if r.receiveLSN > replay {
		lag = time.Duration(r.replayAge * float64(time.Second))
	}
	primary := db.primary.primaryAt()
	lagBytes := max(r.receiveLSN-replay, int64(primary.lsn)-replay, 0)
	e.lagBytes.Store(lagBytes)
	e.lagNanos.Store(int64(max(lag, 0)))
	e.replayLSN.Store(uint64(replay))
	e.lag.observe(primary, uint64(replay))
}

// downProbePeriod is how often an endpoint that is down, or whose breaker
// is open, is probed when HealthCheckPeriod is longer: so that a server
// back from a restart, or a promotion behind a multi-host DSN, serves
// calls again within this long.
const downProbePeriod = 500 * time.Millisecond

// healthLoop probes e every HealthCheckPeriod — every downProbePeriod while
// it is down or its breaker open — and when woken, until ctx ends.
func (db *DB) healthLoop(ctx context.Context, e *endpoint) {
	period := db.cfg.HealthCheckPeriod
	timer := time.NewTimer(period)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-e.recheckNow:
		}
		pctx, cancel := context.WithTimeout(ctx, max(period, time.Second))
		_ = db.check(pctx, e) // the result is published on e
		cancel()
		next := period
		if !e.up.Load() || !e.br.routable() {
			next = min(period, downProbePeriod)
		}
		timer.Stop()
		select { // drained when woken by recheckNow before it fired
		case <-timer.C:
		default:
		}
		timer.Reset(next)
	}
}

// HealthReport is the state of every endpoint. Status is "ok" when every
// endpoint is up, "degraded" when the primary is up but a replica is not,
// "down" when the primary is down, and "closed" after Shutdown began.
type HealthReport struct {
	Status    string           `json:"status"`
	Endpoints []EndpointHealth `json:"endpoints"`
}

// EndpointHealth is one endpoint's line of a HealthReport.
type EndpointHealth struct {
	Name       string  `json:"name"`    // "primary" or "replica[i]"
	Address    string  `json:"address"` // host:port (never credentials)
	Up         bool    `json:"up"`
	InRecovery bool    `json:"in_recovery"`
	Latency    float64 `json:"latency_ms"` // round trip of the last probe
	// LagBytes is, for a replica, how far its replay position is behind
	// the primary's WAL flush position at the primary's last probe (or
	// behind what it received, if more).
	LagBytes int64 `json:"lag_bytes"`
	// LagSeconds is, for a replica, how long it has been missing data the
	// primary had flushed (measured from the primary probe that first saw
	// the position the replica has not replayed), or the age of its last
	// replayed transaction while received WAL waits for replay, whichever
	// is larger; 0 when it has replayed everything seen on the primary.
	LagSeconds float64      `json:"lag_seconds"`
	Breaker    BreakerState `json:"breaker"`
	Error      string       `json:"error,omitempty"` // last probe error
	CheckedAt  time.Time    `json:"checked_at"`
	Pool       ConnStats    `json:"pool"`
}

// ConnStats is a copy of an endpoint's pgxpool statistics.
type ConnStats struct {
	Total        int32 `json:"total"`
	Idle         int32 `json:"idle"`
	Acquired     int32 `json:"acquired"`
	Constructing int32 `json:"constructing"`
	Max          int32 `json:"max"`
	AcquireCount int64 `json:"acquire_count"`
	EmptyAcquire int64 `json:"empty_acquire_count"`
	Canceled     int64 `json:"canceled_acquire_count"`
}

// Health probes every endpoint now (role, latency, lag) and reports. An
// endpoint's failure is in its line, not in the error; the error is only
// ctx's.
func (db *DB) Health(ctx context.Context) (HealthReport, error) {
	if err := db.usable(ctx); err != nil {
		return HealthReport{Status: "closed"}, err
	}
	var wg sync.WaitGroup
	for _, e := range db.endpoints() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = db.check(ctx, e) // recorded on e
		}()
	}
	wg.Wait()
	return db.report(), ctx.Err()
}

// report builds a HealthReport from the last probes, without I/O.
func (db *DB) report() HealthReport {
	rep := HealthReport{Status: "ok"}
	for _, e := range db.endpoints() {
		h := EndpointHealth{
			Name:       e.name,
			Address:    e.serverAddr(),
			Up:         e.up.Load(),
			InRecovery: e.inRecovery.Load(),
			Latency:    float64(e.latency.Load()) / float64(time.Millisecond),
			LagBytes:   e.lagBytes.Load(),
			LagSeconds: max(time.Duration(e.lagNanos.Load()), staleFor(e.lag.since.Load(), time.Now())).Seconds(),
			Breaker:    e.br.current(),
			CheckedAt:  time.Unix(0, e.checkedAt.Load()).UTC(),
			Pool:       statsOf(e),
		}
		if msg := e.lastErr.Load(); msg != nil {
			h.Error = *msg
		}
		switch {
		case !h.Up && !e.replica:
			rep.Status = "down"
		case !h.Up && rep.Status == "ok":
			rep.Status = "degraded"
		}
		rep.Endpoints = append(rep.Endpoints, h)
	}
	if db.state.Load() != stateOpen {
		rep.Status = "closed"
	}
	return rep
}

func statsOf(e *endpoint) ConnStats {
	s := e.pool.Stat()
	return ConnStats{
		Total: s.TotalConns(), Idle: s.IdleConns(), Acquired: s.AcquiredConns(),
		Constructing: s.ConstructingConns(), Max: s.MaxConns(),
		AcquireCount: s.AcquireCount(), EmptyAcquire: s.EmptyAcquireCount(), Canceled: s.CanceledAcquireCount(),
	}
}

// Ping runs SELECT 1 through every endpoint's pool and returns the joined
// errors, each naming its endpoint (nil when all answer).
func (db *DB) Ping(ctx context.Context) error {
	if err := db.usable(ctx); err != nil {
		return err
	}
	if db.state.Load() != stateOpen {
		return ErrClosed
	}
	var errs []error
	for _, e := range db.endpoints() {
		if _, err := e.pool.Exec(ctx, "SELECT 1"); err != nil {
			errs = append(errs, fmt.Errorf("pool: ping %s: %w", e.label, err))
		}
	}
	return errors.Join(errs...)
}

// HealthHandler serves the last health report as JSON, without probing
// (the health loop keeps it fresh). As a readiness probe (the default) it
// answers 200 while the primary is up and 503 when it is down or Shutdown
// began. With the query parameter probe=liveness it answers 200 until
// Shutdown begins, whatever the servers' state: restarting the process
// would not bring a database back.
func (db *DB) HealthHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rep := HealthReport{Status: "closed"}
		if db.opened() {
			rep = db.report()
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		healthy := rep.Status == "ok" || rep.Status == "degraded"
		if r.URL.Query().Get("probe") == "liveness" {
			healthy = rep.Status != "closed"
		}
		if healthy {
			w.WriteHeader(http.StatusOK)
		} else {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		_ = json.NewEncoder(w).Encode(rep) // the client may have gone; nothing to do
	})
}
