package migrate

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Querier is the part of pgx's executor surface migrate uses. *pgx.Conn,
// *pgxpool.Pool, pgx.Tx and norm's *pool.DB satisfy it.
type Querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// DB is what the migrators need from a pool: connections held for the
// caller alone (Acquire). Every migrator call runs on such a connection:
// a transaction with its advisory lock, the session advisory lock and the
// statements that cannot run in a transaction (CREATE INDEX
// CONCURRENTLY), and the reads of the catalog and the history table — so
// nothing goes through a pool's routing, retries or per-transaction hooks,
// and reads see what the migrators wrote.
//
// *pgxpool.Pool and norm's *pool.DB satisfy it (pool.DB's Acquire always
// gives a connection of the primary); a value that cannot give one is a
// compile error, not a failure at run time. For a single *pgx.Conn use
// NewAutoConn and NewMigratorConn.
//
// The connections must reach PostgreSQL directly — not through PgBouncer
// in transaction pooling mode, where the session lock and the session
// settings would land on whichever server connection serves each
// statement.
type DB interface {
	Acquire(ctx context.Context) (*pgxpool.Conn, error)
}

// target is where a migrator runs: a pool (DB) or one *pgx.Conn.
type target interface {
	// dedicated returns one connection for the caller alone and the
	// function that gives it back.
	dedicated(ctx context.Context) (*pgx.Conn, func(), error)
}

// poolTarget runs on a pool, acquiring a connection where one session is
// needed.
type poolTarget struct{ DB }

// poolReset undoes the session state a migration may have left on a
// pool's connection before it goes back to the pool (a no-transaction
// file may SET anything): the pool's other users must not inherit it.
// RESET ALL returns every setting to the connection's startup values.
const poolReset = "RESET ALL; RESET ROLE; UNLISTEN *; SELECT pg_advisory_unlock_all(); DISCARD TEMP"

// resetTimeout bounds poolReset: a server that does not answer costs the
// connection, not a hung migrator.
const resetTimeout = 5 * time.Second

func (p poolTarget) dedicated(ctx context.Context) (*pgx.Conn, func(), error) {
	c, err := p.Acquire(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("migrate: acquire a connection: %w", err)
	}
	conn := c.Conn()
	release := func() {
		// Simple protocol, so pgx's statement cache is untouched; a
		// connection that cannot be cleaned is closed, and the pool drops it.
		bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), resetTimeout)
		defer cancel()
		if err := conn.PgConn().Exec(bg, poolReset).Close(); err != nil {
			_ = conn.Close(bg)
		}
		c.Release()
	}
	return conn, release, nil
}

// connTarget runs everything on one connection.
type connTarget struct{ *pgx.Conn }

func (c connTarget) dedicated(context.Context) (*pgx.Conn, func(), error) {
	return c.Conn, func() {}, nil
}

// onConn runs fn on a dedicated connection of t.
func onConn[R any](ctx context.Context, t target, fn func(q Querier) (R, error)) (R, error) {
	conn, release, err := t.dedicated(ctx)
	if err != nil {
		var zero R
		return zero, err
	}
	defer release()
	return fn(conn)
}

// LockKey is the advisory lock key every migrator of this package takes
// (pg_advisory_xact_lock for transactional work, pg_advisory_lock for
// non-transactional steps), so file migrations, Go migrations and
// auto-migrations never run concurrently against one database. It is the
// first 8 bytes of sha256("norm/migrate") read as a big-endian int64.
const LockKey int64 = 0x0c2892c4e283c317 // 876111501835092759
