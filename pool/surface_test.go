package pool_test

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/normkit/norm/pool"
)

// The interfaces other norm modules declare and *pool.DB must satisfy.
type (
	querier interface {
		Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
		Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
		QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	}
	executor interface {
		querier
		SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
		CopyFrom(ctx context.Context, table pgx.Identifier, cols []string, src pgx.CopyFromSource) (int64, error)
		Begin(ctx context.Context) (pgx.Tx, error)
		BeginTx(ctx context.Context, opts pgx.TxOptions) (pgx.Tx, error)
	}
	afterCommitter interface {
		AfterCommit(ctx context.Context, fn func()) bool
	}
	// migrate.DB: a dedicated connection for the migration lock and the
	// statements that run outside a transaction.
	migrateDB interface {
		querier
		Begin(ctx context.Context) (pgx.Tx, error)
		Acquire(ctx context.Context) (*pgxpool.Conn, error)
	}
)

var (
	_ querier        = (*pool.DB)(nil)
	_ executor       = (*pool.DB)(nil)
	_ afterCommitter = (*pool.DB)(nil)
	_ migrateDB      = (*pool.DB)(nil)
)
