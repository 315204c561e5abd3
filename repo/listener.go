package repo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// ListenerConfig configures a Listener. Zero fields take the defaults
// given on each.
type ListenerConfig struct {
	// ConnConfig opens the listener's dedicated connection (required). It
	// must reach the primary directly, or through a pool in session mode:
	// LISTEN belongs to a session, and PgBouncer in transaction mode hands
	// the server connection to other clients between transactions, so the
	// listener would hear nothing (or someone else's channels). Writers may
	// go through PgBouncer in any mode: a notification is sent by the
	// transaction that writes, wherever it runs.
	ConnConfig *pgx.ConnConfig
	// Channel is the notification channel (default DefaultChannel). It
	// must match the writers' (WithNotify).
	Channel string
	// MinBackoff is the wait before the first reconnection attempt after a
	// failure (default 100ms); each failure in a row doubles it, with
	// jitter, up to MaxBackoff (default 5s).
	MinBackoff, MaxBackoff time.Duration
	// PingInterval is how long the connection may stay silent before the
	// listener checks it with a round trip (default 5s), so a connection
	// lost without a word (a network partition) stops the caches within
	// about two intervals instead of at the TCP timeout.
	PingInterval time.Duration
	// OnError, when set, is told every failed connection attempt and every
	// lost connection (the listener keeps trying until closed).
	OnError func(error)
	// OnEvict, when set, is called after each notification was applied to
	// every guarded cache, with the keys it named, and with nil after a
	// flush (a notification that asked for one, or a (re)connection);
	// for metrics and tests. It runs on the listener's goroutine:
	// keep it short.
	OnEvict func(keys []string)
}

// Listener keeps one dedicated connection (outside any pool) that LISTENs
// on the invalidation channel, and evicts the keys of each notification
// from the caches it guards (see Guard). PostgreSQL delivers a
// notification only when the transaction that sent it commits, in commit
// order, so a rolled-back write evicts nothing.
//
// While the connection is down, notifications may be missed, so the
// guarded caches stop serving (every Get misses and Set is dropped) until
// the listener is LISTENing again; it then flushes them before serving.
// It reconnects with exponential backoff until Close or the end of the
// ctx given to Listen. One Listener per process and channel is enough:
// guard every cache with it.
type Listener struct {
	cfg    ListenerConfig
	cancel context.CancelFunc
	done   chan struct{}
	up     atomic.Bool
	ready  chan struct{} // closed and replaced each time the listener comes up

	mu     sync.Mutex
	caches []*guardedCache
}

// Listen validates cfg and starts the listener's goroutine, which
// connects in the background (see WaitConnected). ctx bounds its life:
// when ctx is done the listener stops as if closed. Call Close to stop it
// and release its connection.
func Listen(ctx context.Context, cfg ListenerConfig) (*Listener, error) {
	if cfg.ConnConfig == nil {
		return nil, errors.New("repo: Listen: ListenerConfig.ConnConfig is nil")
	}
	if cfg.Channel == "" {
		cfg.Channel = DefaultChannel
	}
	if err := checkChannel(cfg.Channel); err != nil {
		return nil, fmt.Errorf("repo: Listen: %w", err)
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = 100 * time.Millisecond
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 5 * time.Second
	}
	cfg.MaxBackoff = max(cfg.MaxBackoff, cfg.MinBackoff)
	if cfg.PingInterval <= 0 {
		cfg.PingInterval = 5 * time.Second
	}
	cfg.ConnConfig = cfg.ConnConfig.Copy()
	parent := ctxOrBackground(ctx)
	run, cancel := context.WithCancel(context.WithoutCancel(parent))
	l := &Listener{cfg: cfg, cancel: cancel, done: make(chan struct{}), ready: make(chan struct{})}
	stop := context.AfterFunc(parent, cancel)
	go func() {
		defer close(l.done)
		defer stop()
		l.run(run)
	}()
	return l, nil
}

// ctxOrBackground guards against a nil ctx.
func ctxOrBackground(ctx context.Context) context.Context {
	if ctx == nil {
		return context.Background()
	}
	return ctx
}

// Channel returns the channel the listener listens on.
func (l *Listener) Channel() string { return l.cfg.Channel }

// Connected reports whether the listener is LISTENing, that is whether
// its caches serve.
func (l *Listener) Connected() bool { return l.up.Load() }

// WaitConnected waits until the listener is LISTENing (its caches serve),
// or ctx is done (its error is returned), or the listener is closed
// (ErrListenerClosed).
func (l *Listener) WaitConnected(ctx context.Context) error {
	for {
		l.mu.Lock()
		ready := l.ready
		l.mu.Unlock()
		if l.up.Load() {
			return nil
		}
		select {
		case <-ready:
		case <-l.done:
			return ErrListenerClosed
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// ErrListenerClosed is returned by WaitConnected once the listener has
// stopped.
var ErrListenerClosed = errors.New("repo: listener closed")

// Close stops the listener, closes its connection and waits for its
// goroutine to end. The guarded caches stop serving for good. It is safe
// to call more than once.
func (l *Listener) Close() error {
	l.cancel()
	<-l.done
	return nil
}

// run connects, listens and serves until ctx is done, reconnecting with
// backoff.
func (l *Listener) run(ctx context.Context) {
	wait := l.cfg.MinBackoff
	for ctx.Err() == nil {
		conn, err := l.connect(ctx)
		if err == nil {
			// LISTEN is in force: whatever commits from now on is
			// delivered. What committed while no one listened is covered
			// by the flush, which also voids fills begun before it.
			l.flush(ctx)
			l.setUp(true)
			wait = l.cfg.MinBackoff
			err = l.serve(ctx, conn)
			l.setUp(false)
			closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
			_ = conn.Close(closeCtx) // the connection is being dropped; its error says nothing new
			cancel()
		}
		if ctx.Err() != nil {
			return
		}
		if l.cfg.OnError != nil {
			l.cfg.OnError(err)
		}
		sleep(ctx, jitter(wait))
		wait = min(2*wait, l.cfg.MaxBackoff)
	}
}

// connect opens the dedicated connection and LISTENs on the channel.
func (l *Listener) connect(ctx context.Context) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, l.cfg.ConnConfig)
	if err != nil {
		return nil, fmt.Errorf("repo: listener: connect: %w", err)
	}
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{l.cfg.Channel}.Sanitize()); err != nil {
		_ = conn.Close(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("repo: listener: LISTEN %s: %w", l.cfg.Channel, err)
	}
	return conn, nil
}

// serve applies notifications until the connection fails or ctx is done.
// A silent connection is pinged every PingInterval.
func (l *Listener) serve(ctx context.Context, conn *pgx.Conn) error {
	for {
		wctx, cancel := context.WithTimeout(ctx, l.cfg.PingInterval)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case err == nil:
			if n != nil {
				l.apply(ctx, n.Payload)
			}
			continue
		case ctx.Err() != nil:
			return ctx.Err()
		case conn.IsClosed() || !pgconn.Timeout(err):
			return fmt.Errorf("repo: listener: connection lost: %w", err)
		}
		pctx, cancel := context.WithTimeout(ctx, l.cfg.PingInterval)
		err = conn.Ping(pctx)
		cancel()
		if err != nil {
			return fmt.Errorf("repo: listener: ping: %w", err)
		}
	}
}

// setUp switches the guarded caches on or off.
func (l *Listener) setUp(up bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.up.Store(up)
	if up {
		close(l.ready)
		l.ready = make(chan struct{})
	}
}

// apply evicts the keys of one notification from every guarded cache.
func (l *Listener) apply(ctx context.Context, payload string) {
	keys, from, flush := decodePayload(payload)
	for _, g := range l.guarded() {
		switch {
		case flush:
			g.flush(ctx)
		case from != g.id:
			g.evict(ctx, keys)
		}
	}
	if l.cfg.OnEvict != nil {
		if flush {
			keys = nil
		}
		l.cfg.OnEvict(keys)
	}
}

// flush empties every guarded cache.
func (l *Listener) flush(ctx context.Context) {
	for _, g := range l.guarded() {
		g.flush(ctx)
	}
	if l.cfg.OnEvict != nil {
		l.cfg.OnEvict(nil)
	}
}

func (l *Listener) guarded() []*guardedCache {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.caches
}

// jitter returns d scaled by a random factor in [0.5, 1.5), so processes
// that lost the server together do not reconnect in step.
func jitter(d time.Duration) time.Duration {
	return d/2 + time.Duration(rand.Int64N(int64(d)+1))
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
