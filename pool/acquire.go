package pool

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Acquire returns a connection of the primary's pool, held for the caller
// alone until it calls Release. It is for work that needs one session
// throughout, which DB refuses on its shared connections (see "Session
// hygiene" in the package doc): a session advisory lock, LISTEN, a
// statement that cannot run in a transaction under such a lock (migrate's
// CREATE INDEX CONCURRENTLY). It has the signature of pgxpool.Pool's
// Acquire, so a *DB serves wherever a module asks for that ability
// (migrate.DB).
//
// The connection is always the primary's, whatever ctx says (UseReplica,
// a Session, a transaction carried by ctx: it is a connection of its own,
// outside that transaction). Statements on it go straight to pgx: no
// routing, retries, circuit breaker (the acquisition is neither refused
// by an open breaker nor counted by it), session checks, or
// read-your-writes tracking (routed reads of this DB do not wait for its
// writes to reach the replicas).
//
// The session is the caller's to keep clean: undo what it changed (RESET,
// pg_advisory_unlock, UNLISTEN) before Release, or close the connection
// (conn.Conn().Close) and Release, which makes pgxpool drop it. A
// connection released inside a transaction is dropped too. Shutdown treats
// it like any busy connection: at its deadline the running statement is
// canceled, and the connection dropped after CancelGracePeriod.
//
// It fails with ErrClosed once Shutdown began, with ErrMisuse on a DB not
// made by Open or a nil ctx, and otherwise with pgxpool's error (ctx's end,
// a failed connect) wrapped with the primary's name.
func (db *DB) Acquire(ctx context.Context) (*pgxpool.Conn, error) {
	if err := db.usable(ctx); err != nil {
		return nil, err
	}
	if db.state.Load() != stateOpen {
		return nil, ErrClosed
	}
	c, err := db.primary.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("pool: acquire a connection of %s: %w", db.primary.label, err)
	}
	return c, nil
}
