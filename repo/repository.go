package repo

import (
	"context"
	"reflect"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/normkit/norm/sqlb"
)

// Runner runs statements: the part of pgx's executor surface that reads
// and writes. *pgx.Conn, *pgxpool.Pool, pgx.Tx and norm's *pool.DB
// satisfy it. Select, Get, SelectRaw and GetRaw need no more.
type Runner interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Querier is what a Repository runs on: a Runner that can also Begin a
// transaction (batches and hooked writes run in one) and COPY (CopyFrom,
// large CreateBatch). *pgx.Conn, *pgxpool.Pool, pgx.Tx and norm's *pool.DB
// all have both, so a value without them is a compile error, not a run-time
// ErrUnsupported. The abilities only a ctx-carried transaction gives
// (TxCarrier, AfterCommitter) and replica routing (PrimaryRouter) are
// optional: pgx's own types have no such thing; New finds them once (see
// TxCarrier).
type Querier interface {
	Runner
	Beginner
	CopyFromer
}

// AfterCommitter is the optional ability of a Querier (norm's *pool.DB
// has it) to run fn after the outermost commit of the transaction carried
// in ctx. It returns false, without running fn, when ctx carries no
// transaction. With it, cache invalidation and audit records wait for the
// commit (and are dropped on rollback); without it they run as soon as
// the statement returns. It is optional because pgx's own types cannot
// run callbacks after a commit.
type AfterCommitter interface {
	AfterCommit(ctx context.Context, fn func()) bool
}

// TxCarrier is the optional ability of a Querier to tell whether ctx
// carries one of its transactions, as norm's *pool.DB does (its InTx
// passes fn a ctx every call joins). Reads on such a ctx bypass the cache,
// since they may see uncommitted writes. It is optional because pgx's own
// types carry no transaction in ctx: over them only a repository bound to
// a pgx.Tx is in a transaction.
//
// New (and WithTx) find the optional abilities — TxCarrier,
// AfterCommitter and PrimaryRouter — by one type assertion each, once: the
// only place a repository looks at its Querier's type.
type TxCarrier interface {
	HasTx(ctx context.Context) bool
}

// Beginner is the ability to start a transaction (or a savepoint when
// already inside one: pgx.Tx and pool.DB with a ctx-carried transaction do
// so). Every Querier has it.
type Beginner interface {
	Begin(ctx context.Context) (pgx.Tx, error)
}

// CopyFromer is the ability to run COPY FROM STDIN. Every Querier has it.
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
	can     abilities // q's optional abilities, found once by New/WithTx
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
	// errs are what options refused (see refuse); New fails with them.
	errs []string
}

// refuse records that an option was given bad input: New then fails with
// ErrInvalid naming it, rather than run with the option silently ignored.
func (c *config) refuse(option, why string) {
	c.errs = append(c.errs, option+": "+why)
}

// Option configures a repository built by New. An option given input it
// cannot use (WithClock(nil), WithCache(nil, …), a negative TTL, …) makes
// New fail with ErrInvalid naming it; none is silently ignored. A nil
// Option is skipped.
type Option func(*config)

// New builds a repository of T over q. The model (table, columns, primary
// key, version, soft-delete and on_update columns) comes from sqlb's model
// metadata of T, and the SQL of fixed-shape operations is built once per
// type. It fails when T cannot be mapped (a bad tag, no table, no
// columns), q is nil, or an option was given bad input (ErrInvalid naming
// each; see Option). A pgx.Tx as q binds the repository to that
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
		cfg.refuse("WithNotify", err.Error())
	}
	for _, d := range cfg.relations {
		if err := checkRelation(mt.m, d); err != nil {
			cfg.refuse("WithRelation("+d.Field+")", err.Error())
		}
	}
	if len(cfg.errs) > 0 {
		return nil, errorf("New", mt.m.Table, ErrInvalid, "%s", strings.Join(cfg.errs, "; "))
	}
	if cfg.cachePfx == "" {
		cfg.cachePfx = "norm:" + mt.m.Table + ":"
	}
	_, isTx := q.(pgx.Tx)
	return &Repository[T]{q: q, mt: mt, cfg: cfg, can: abilitiesOf(q), boundTx: isTx}, nil
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
	c.can = abilitiesOf(tx)
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
// cut-offs, audit records and the cache (default time.Now). A nil clock
// makes New fail.
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now == nil {
			c.refuse("WithClock(nil)", "no clock: omit the option for time.Now")
			return
		}
		c.now = now
	}
}

// table returns the table name used in messages.
func (r *Repository[T]) table() string { return r.mt.m.Table }
