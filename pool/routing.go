package pool

import "context"

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
	read := cl.read()
	var need uint64
	if st != nil {
		switch st.route {
		case routePrimary:
			return db.primary
		case routeReplica:
			read = true
		}
		if st.session != nil {
			need = st.session.lsn.Load()
		}
	}
	if !read {
		return db.primary
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
