package migrate

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/normkit/norm/migrate/internal/lock"
)

// Querier is the part of pgx's executor surface migrate uses. *pgx.Conn,
// *pgxpool.Pool, pgx.Tx and norm's *pool.DB satisfy it.
type Querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// DB is what an AutoMigrator needs from a pool: connections held for the
// caller alone (Acquire). Every call runs on such a connection: the
// session advisory lock, the transaction with its advisory lock, the
// statements that cannot run in a transaction (CREATE INDEX
// CONCURRENTLY), and the reads of the catalog and the history table — so
// nothing goes through a pool's routing, retries or per-transaction hooks,
// and reads see what the migrator wrote. It is the same interface as
// versioned.DB, so one value serves both migrators.
//
// *pgxpool.Pool and norm's *pool.DB satisfy it (pool.DB's Acquire always
// gives a connection of the primary); a value that cannot give one is a
// compile error, not a failure at run time. For a single *pgx.Conn use
// NewAutoConn.
//
// The connections must reach PostgreSQL directly — not through PgBouncer
// in transaction pooling mode, where the session lock and the session
// settings would land on whichever server connection serves each
// statement.
type DB interface {
	Acquire(ctx context.Context) (*pgxpool.Conn, error)
}

// LockKey is the advisory lock key every migrator of norm takes —
// auto-migrations and package versioned's SQL-file and Go migrations
// alike — (pg_advisory_xact_lock for transactional work,
// pg_advisory_lock for non-transactional steps), so they never run
// concurrently against one database. It is the
// first 8 bytes of sha256("norm/migrate") read as a big-endian int64.
const LockKey = lock.Key
