package pool

import (
	"context"
	"errors"
	"math"
	"time"

	"github.com/jackc/pgx/v5"
)

type ctxKey struct{}

// route is a caller's routing override.
type route uint8

const (
	routeAuto route = iota
	routePrimary
	routeReplica
)

// ctxState is everything pool keeps in a ctx, behind one key so that a call
// pays for one ctx.Value lookup. It is copied, never mutated, when a ctx is
// derived.
type ctxState struct {
	txs        []*tx // open transactions, innermost last (several DBs may each have one)
	route      route
	idempotent bool
	session    *Session
}

func stateOf(ctx context.Context) *ctxState {
	st, _ := ctx.Value(ctxKey{}).(*ctxState)
	return st
}

func withState(ctx context.Context, edit func(*ctxState)) context.Context {
	var next ctxState
	if st := stateOf(ctx); st != nil {
		next = *st
	}
	edit(&next)
	return context.WithValue(ctx, ctxKey{}, &next)
}

// UsePrimary returns a ctx whose statements go to the primary even when
// they are reads (a read that must see the latest commit).
func UsePrimary(ctx context.Context) context.Context {
	return withState(ctx, func(s *ctxState) { s.route = routePrimary })
}

// UsePrimary is the package function UsePrimary as a method, so that code
// that discovers abilities by type assertion on the value it was handed —
// repo's cache, which fills only from reads that see every committed write
// — can ask for it without importing pool.
func (db *DB) UsePrimary(ctx context.Context) context.Context {
	if ctx == nil {
		return ctx // the call that uses it reports the nil ctx
	}
	return UsePrimary(ctx)
}

// UseReplica returns a ctx whose statements go to a healthy replica even
// when pool cannot tell that they are reads: the caller vouches that they
// are. With no healthy replica they go to the primary; a statement the
// replica refuses as a write (SQLSTATE 25006) is re-run on the primary. It
// has no effect inside a transaction.
func UseReplica(ctx context.Context) context.Context {
	return withState(ctx, func(s *ctxState) { s.route = routeReplica })
}

// Idempotent returns a ctx whose writes may be retried after a connection
// loss, when they may already have reached the server: the caller vouches
// that running them twice is harmless (an upsert, a delete by key). Reads
// are always retried; statements inside a transaction never are.
func Idempotent(ctx context.Context) context.Context {
	return withState(ctx, func(s *ctxState) { s.idempotent = true })
}

// pick chooses the endpoint of a statement outside a transaction: the
// primary, unless the statement is a read (or routed to replicas) and some
// replica is up, not behind MaxReplicaLag, not broken, and — with a
// read-your-writes Session — has replayed the session's last write. Replicas
// are tried round-robin from a shared counter; avoid is skipped (the
// replica that just failed). It allocates nothing and takes no lock.
func (db *DB) pick(st *ctxState, cl class, avoid *endpoint) *endpoint {
	n := len(db.replicas)
	if n == 0 {
		return db.primary
	}
	read, need := readNeed(st, cl)
	if !read {
		return db.primary
	}
	if db.ryw {
		ok, lsn := db.writes.need()
		if !ok {
			return db.primary // a write of this DB awaits its WAL position
		}
		need = max(need, lsn)
	}
	start := 0
	if n > 1 {
		start = int(db.next.Add(1) % uint64(n))
	}
	for i := range n {
		r := db.replicas[(start+i)%n]
		if r != avoid && r.servesReads(db.cfg.MaxReplicaLag, need) {
			return r
		}
	}
	return db.primary
}

// route is pick for the first attempt of a call (a statement, or the BEGIN
// of a read-only InTx). When pick settles on the primary only because no
// replica has replayed the ctx's Session yet, and Config.ReplicaWait is
// set, it waits up to that long for one to (awaitReplay). Otherwise it is
// pick, plus one comparison.
func (db *DB) route(ctx context.Context, st *ctxState, cl class) *endpoint {
	e := db.pick(st, cl, nil)
	if e.replica || db.cfg.ReplicaWait <= 0 {
		return e
	}
	need := waitFor(st, cl)
	if need == 0 {
		return e
	}
	return db.awaitReplay(ctx, need)
}

// waitFor returns the WAL position a read of st must wait for on a
// replica, or 0 when waiting cannot help: not a read, routed to the
// primary, no Session, a Session with no write yet, or one pinned to the
// primary because its position could not be read.
func waitFor(st *ctxState, cl class) uint64 {
	read, need := readNeed(st, cl)
	if !read || need == math.MaxUint64 {
		return 0
	}
	return need
}

// readNeed reports whether a statement of class cl in st may go to a
// replica (a read, or routed to replicas, and not routed to the primary),
// and the WAL position a replica must have replayed for it: the Session's
// last write, or 0.
func readNeed(st *ctxState, cl class) (read bool, need uint64) {
	read = cl.read()
	if st == nil {
		return read, 0
	}
	switch st.route {
	case routePrimary:
		return false, 0
	case routeReplica:
		read = true
	}
	if st.session != nil {
		need = st.session.lsn.Load()
	}
	return read, need
}

// Polling intervals of awaitReplay: short at first (on one network a
// replica usually replays a commit within a millisecond or two), then
// every maxReplayPoll.
const (
	minReplayPoll = time.Millisecond
	maxReplayPoll = 20 * time.Millisecond
)

// awaitReplay waits up to Config.ReplicaWait (and no longer than ctx),
// probes included, for a replica that serves reads but for the position
// need to replay it. It probes each such replica through its health
// connection (untraced, outside the pool, one probe at a time however many
// reads wait; the health loop's last probe may be a period old) and
// publishes what it sees, so waiters also profit from each other's probes.
// It returns the first replica that catches up, or the primary when none
// does in time. A replica whose probe fails is not asked again.
func (db *DB) awaitReplay(ctx context.Context, need uint64) *endpoint {
	var waiting []*endpoint
	for _, r := range db.replicas {
		if r.servesReads(db.cfg.MaxReplicaLag, 0) {
			waiting = append(waiting, r)
		}
	}
	if len(waiting) == 0 {
		return db.primary
	}
	// The wait bounds the position queries too: a replica that stalls
	// must not hold the read past ReplicaWait.
	wctx, cancel := context.WithTimeout(ctx, db.cfg.ReplicaWait)
	defer cancel()
	poll := minReplayPoll
	for {
		for i := 0; i < len(waiting); i++ {
			r := waiting[i]
			if r.servesReads(db.cfg.MaxReplicaLag, need) {
				return r // another waiter's probe (or the health loop) saw it
			}
			caughtUp := func() bool { return r.servesReads(db.cfg.MaxReplicaLag, need) }
			res, err := r.prober.run(wctx, r, caughtUp)
			if errors.Is(err, errProbeUnneeded) {
				return r // a probe that ran while this one waited saw it
			}
			if wctx.Err() != nil {
				return db.primary
			}
			if err != nil {
				waiting = append(waiting[:i], waiting[i+1:]...)
				i--
				continue
			}
			db.publishLag(r, res)
			if r.servesReads(db.cfg.MaxReplicaLag, need) {
				return r
			}
		}
		if len(waiting) == 0 {
			return db.primary
		}
		select {
		case <-wctx.Done():
			return db.primary
		case <-time.After(poll):
		}
		poll = min(2*poll, maxReplayPoll)
	}
}

// replicaTx reports whether a transaction with opts may run on a replica:
// READ ONLY, not SERIALIZABLE (a hot standby refuses serializable mode,
// SQLSTATE 0A000), and no custom BEGIN statement whose effect pool cannot
// know.
func replicaTx(opts pgx.TxOptions) bool {
	return opts.AccessMode == pgx.ReadOnly && opts.IsoLevel != pgx.Serializable && opts.BeginQuery == ""
}
