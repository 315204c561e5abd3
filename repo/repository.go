package repo

import (
	"context"
	"reflect"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/normkit/norm/sqlb"
)

// Querier runs statements. *pgx.Conn, *pgxpool.Pool, pgx.Tx and norm's
// *pool.DB satisfy it. Extra abilities are found by type assertion: Begin
// (transactions for batches and hooks), CopyFrom (bulk load) and
// AfterCommit (cache invalidation and audit after the outermost commit).
type Querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// AfterCommitter is the optional ability of a Querier (pool.DB has it) to
// run fn after the outermost commit of the transaction carried in ctx. It
// returns false, without running fn, when ctx carries no transaction.
type AfterCommitter interface {
	AfterCommit(ctx context.Context, fn func()) bool
}

// Beginner is the optional ability to start a transaction (or a savepoint
// when already inside one: pgx.Tx and pool.DB with a ctx-carried
// transaction do so).
type Beginner interface {
	Begin(ctx context.Context) (pgx.Tx, error)
}

// CopyFromer is the optional ability to run COPY FROM STDIN.
type CopyFromer interface {
	CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error)
}

// Repository is a typed repository of entities of struct type T over a
// Querier. It is immutable and safe for concurrent use; WithTx, WithTrashed
// and OnlyTrashed return modified copies sharing the same configuration.
type Repository[T any] struct {
	q       Querier
	mt      *meta
	cfg     *config
	trash   trashMode
	boundTx bool     // q is an explicit transaction: no cache population
	pend    *pending // set inside notifying: after-commit work waits for its commit
}

// config is the part of a repository shared by its copies.
type config struct {
	cache        Cache
	cacheTTL     time.Duration
	cachePfx     string
	extraKeys    func(key Key) []string
	gen          *generation
	notify       string // channel that writes publish invalidations on (WithNotify)
	writeThrough bool   // cache the committed row of writes that return it (WithWriteThrough)
	auditor      Auditor
	auditErr     func(error)
	strict       bool
	strictMax    int
	now          func() time.Time
	relations    []Relation
}

// Option configures a repository built by New.
type Option func(*config)

// New builds a repository of T over q. The model (table, columns, primary
// key, version, soft-delete and on_update columns) comes from sqlb's model
// metadata of T, and the SQL of fixed-shape operations is built once per
// type. It fails when T cannot be mapped (a bad tag, no table, no
// columns) or q is nil. A pgx.Tx as q binds the repository to that
// transaction (see WithTx).
func New[T any](q Querier, opts ...Option) (*Repository[T], error) {
	t := reflect.TypeOf((*T)(nil)).Elem()
	mt, err := metaFor(t)
	if err != nil {
		return nil, err
	}
	if q == nil {
		return nil, errorf("New", mt.m.Table, ErrInvalid, "nil Querier")
	}
	cfg := &config{now: time.Now, cacheTTL: 5 * time.Minute, gen: &generation{}, strictMax: 1}
	for _, o := range opts {
		if o != nil {
			o(cfg)
		}
	}
	if err := cfg.useGuard(); err != nil {
		return nil, errorf("New", mt.m.Table, ErrInvalid, "%v", err)
	}
	if cfg.cachePfx == "" {
		cfg.cachePfx = "norm:" + mt.m.Table + ":"
	}
	_, isTx := q.(pgx.Tx)
	return &Repository[T]{q: q, mt: mt, cfg: cfg, boundTx: isTx}, nil
}

// Model returns the sqlb model metadata of T (nil for a Repository that
// New did not build).
func (r *Repository[T]) Model() *sqlb.Model {
	if r == nil || r.mt == nil {
		return nil
	}
	return r.mt.m
}

// Querier returns the Querier the repository runs on (nil for a nil
// Repository).
func (r *Repository[T]) Querier() Querier {
	if r == nil {
		return nil
	}
	return r.q
}

// WithTx returns a copy of r bound to tx: every call runs in it and sees
// its uncommitted writes. Cache: writes through it invalidate immediately
// (a pgx.Tx has no after-commit hook) and its reads neither read nor fill
// the cache, since they may see uncommitted data; see the package docs for
// the remaining window. Batches and CopyFrom use savepoints inside tx.
// With a nil tx (or a nil r) every call of the copy returns ErrMisuse.
func (r *Repository[T]) WithTx(tx pgx.Tx) *Repository[T] {
	if r == nil {
		return nil
	}
	c := *r
	c.q = tx
	c.boundTx = true
	return &c
}

// WithTrashed returns a view of r that includes soft-deleted rows: in its
// reads, and in its writes of existing rows (Update, UpdateFields,
// UpdateWhere, Upsert, UpsertBatch), which then change a row whether it is
// soft-deleted or not. It is the explicit opt-in to writing trash. Delete
// and Restore are state changes and ignore the view (Delete of a
// soft-deleted row is ErrNotFound in every view). Without a soft-delete
// column the view is the same as r.
func (r *Repository[T]) WithTrashed() *Repository[T] { return r.view(withTrashed) }

// OnlyTrashed returns a view of r that sees soft-deleted rows only, in
// reads and in the writes listed at WithTrashed (which then leave live rows
// alone and return ErrNotFound for them). Without a soft-delete column
// the view is the same as r.
func (r *Repository[T]) OnlyTrashed() *Repository[T] { return r.view(onlyTrashed) }

// view returns a copy of r with the soft-delete view mode.
func (r *Repository[T]) view(mode trashMode) *Repository[T] {
	if r == nil {
		return nil
	}
	c := *r
	c.trash = mode
	return &c
}

// WithClock sets the clock used for soft-delete timestamps, PurgeTrashed
// cut-offs, audit records and the cache (default time.Now).
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now != nil {
			c.now = now
		}
	}
}

// table returns the table name used in messages.
func (r *Repository[T]) table() string { return r.mt.m.Table }
