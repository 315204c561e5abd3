package migrate

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Querier is the part of pgx's executor surface migrate uses. *pgx.Conn,
// *pgxpool.Pool, pgx.Tx and norm's *pool.DB satisfy it.
type Querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// DB is what the migrators need from a connection: queries and
// transactions. *pgx.Conn and *pgxpool.Pool satisfy it.
//
// Migrations take advisory locks and, for CREATE INDEX CONCURRENTLY,
// hold a session lock across statements, so DB must reach PostgreSQL
// directly — not through PgBouncer in transaction pooling mode.
type DB interface {
	Querier
	Begin(ctx context.Context) (pgx.Tx, error)
}

// LockKey is the advisory lock key every migrator of this package takes
// (pg_advisory_xact_lock for transactional work, pg_advisory_lock for
// non-transactional steps), so file migrations, Go migrations and
// auto-migrations never run concurrently against one database. It is the
// first 8 bytes of sha256("norm/migrate") read as a big-endian int64.
const LockKey int64 = 0x0c2892c4e283c317 // 876111501835092759
