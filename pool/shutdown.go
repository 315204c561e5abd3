package pool

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Lifecycle states of a DB.
const (
	stateOpen     int32 = iota
	stateDraining       // Shutdown began: new work is refused
	stateStopped        // Shutdown's deadline passed: in-flight work is canceled
)

type shutdownState struct {
	once sync.Once
	done chan struct{}
	err  error
}

// connRegistry knows every open pooled connection, so that Shutdown can
// cancel what is still running when its deadline passes. It changes only
// when a connection opens or closes, never per statement.
type connRegistry struct {
	mu sync.Mutex
	m  map[*pgconn.PgConn]struct{}
}

func (r *connRegistry) add(_ context.Context, c *pgx.Conn) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil {
		r.m = make(map[*pgconn.PgConn]struct{})
	}
	r.m[c.PgConn()] = struct{}{}
	return nil
}

func (r *connRegistry) remove(c *pgx.Conn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.m, c.PgConn())
}

func (r *connRegistry) all() []*pgconn.PgConn {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*pgconn.PgConn, 0, len(r.m))
	for c := range r.m {
		out = append(out, c)
	}
	return out
}

// Shutdown stops the DB gracefully. New calls get ErrClosed at once;
// statements and transactions already running may finish until ctx ends.
// Then the statements still running are canceled (a cancel request each,
// not waited for: a hung server never answers), statements of still-open
// transactions fail with ErrClosed, and after CancelGracePeriod the
// connections left are dropped, which ends every call still using one;
// calls still waiting for a connection, or for one to be made, end when
// the pools close. Every pool is closed and the health loops stopped.
//
// Shutdown returns at most CancelGracePeriod + 1s after ctx's deadline,
// whatever the servers do (a frozen server included), and by then no call
// of this DB is left blocked on a connection. The error is nil when
// everything finished in time; otherwise it wraps ctx's error and says how
// many connections were still busy. Calling Shutdown again waits for the
// first call.
func (db *DB) Shutdown(ctx context.Context) error {
	if err := db.usable(ctx); err != nil {
		return err
	}
	first := false
	db.shutdown.once.Do(func() {
		first = true
		db.shutdown.done = make(chan struct{})
		db.state.Store(stateDraining)
	})
	if !first {
		select {
		case <-db.shutdown.done:
			return db.shutdown.err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	db.shutdown.err = db.drain(ctx)
	close(db.shutdown.done)
	return db.shutdown.err
}

// Close is Shutdown with Config.ShutdownTimeout (default 10s) as deadline.
func (db *DB) Close() {
	if !db.opened() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), db.cfg.ShutdownTimeout)
	defer cancel()
	_ = db.Shutdown(ctx) // the outcome is final either way; Shutdown reports it to those who ask
}

func (db *DB) drain(ctx context.Context) error {
	// The health loops and the write tracker stop; a probe in flight is
	// canceled and is not waited for here (closeAll bounds the wait).
	db.stopLoops()
	if db.waitIdle(ctx) {
		db.closeAll(ctx, time.Now().Add(closeWait))
		return nil
	}
	// The bound Shutdown promises, counted from ctx's end.
	until := time.Now().Add(db.cfg.CancelGracePeriod + closeWait)
	db.state.Store(stateStopped)
	busy := db.busy()
	db.cancelAll(ctx)
	graceCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), db.cfg.CancelGracePeriod)
	defer cancel()
	if !db.waitIdle(graceCtx) {
		for _, c := range db.conns.all() {
			_ = c.Conn().Close() // unblock whoever still holds it
		}
	}
	db.closeAll(ctx, until)
	return fmt.Errorf("pool: shutdown: deadline passed with %d connections busy; their statements were canceled: %w",
		busy, ctx.Err())
}

// busy counts connections checked out or being made for a caller.
func (db *DB) busy() int {
	n := 0
	for _, e := range db.endpoints() {
		s := e.pool.Stat()
		n += int(s.AcquiredConns() + s.ConstructingConns())
	}
	return n
}

// waitIdle waits until no connection is checked out, or ctx ends.
func (db *DB) waitIdle(ctx context.Context) bool {
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for db.busy() > 0 {
		select {
		case <-ctx.Done():
			return false
		case <-tick.C:
		}
	}
	return true
}

// cancelAll sends a cancel request for every open connection (idle ones
// ignore it), without waiting: a frozen server accepts the request's
// connection and never answers, and each request gives up on its own
// after a second.
func (db *DB) cancelAll(ctx context.Context) {
	ctx = context.WithoutCancel(ctx) // ctx has expired: that is why we cancel
	for _, c := range db.conns.all() {
		go func() {
			ctx, cancel := context.WithTimeout(ctx, time.Second)
			defer cancel()
			_ = c.CancelRequest(ctx) // best effort: the connection may be gone
		}()
	}
}

// closeWait bounds how long Shutdown waits, after the grace period, for
// the pools to close and the background loops to end.
const closeWait = time.Second

// closeAll stops the loops, closes every health connection and every pool
// (which also ends connection attempts in progress, and with them the
// calls waiting for them), and waits until all of it is done or until
// passes: a leaked Rows must not hang Shutdown, nor a server that does not
// answer (pgx waits up to 15s for a cancel request to a frozen server
// before it lets a broken connection go; that goes on in the background).
func (db *DB) closeAll(ctx context.Context, until time.Time) {
	if db.stopLoops != nil {
		db.stopLoops()
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		var wg sync.WaitGroup
		for _, e := range db.endpoints() {
			if e == nil {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				e.prober.drop() // a probe stuck on a frozen server ends now
				e.prober.close(ctx)
				if e.pool != nil {
					e.pool.Close()
				}
			}()
		}
		wg.Wait()
		db.loops.Wait()
	}()
	select {
	case <-done:
	case <-time.After(time.Until(until)):
	}
}
