package versioned

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/normkit/norm/migrate/internal/lock"
)

// DB is what a Migrator needs from a pool: connections held for the
// caller alone (Acquire). Every call runs on such a connection: each
// version's transaction with its advisory lock, a no-transaction file
// under the session advisory lock, and the reads of the history table —
// so nothing goes through a pool's routing, retries or per-transaction
// hooks, and reads see what the migrator wrote.
//
// *pgxpool.Pool and norm's *pool.DB satisfy it (pool.DB's Acquire always
// gives a connection of the primary); a value that cannot give one is a
// compile error. It is the same interface as migrate.DB, so one value
// serves both migrators. For a single *pgx.Conn use NewMigratorConn.
//
// The connections must reach PostgreSQL directly — not through PgBouncer
// in transaction pooling mode, where the session lock and the session
// settings would land on whichever server connection serves each
// statement.
type DB interface {
	Acquire(ctx context.Context) (*pgxpool.Conn, error)
}

// querier is the part of pgx's executor surface the runner uses on its
// connections and transactions.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// LockKey is the advisory lock key every migrator of norm takes — this
// package's and package migrate's auto-migrations alike — so they never
// run concurrently against one database (pg_advisory_xact_lock around
// each version, pg_advisory_lock around a no-transaction file). It is the
// first 8 bytes of sha256("norm/migrate") read as a big-endian int64, and
// equal to migrate.LockKey.
const LockKey = lock.Key
