package pool

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/normkit/norm/internal/redact"
)

// tx is a transaction (or, with a parent, a savepoint) begun through *DB.
// It implements pgx.Tx. The outermost one owns its pooled connection, so it
// can clean session state before giving it back (hygiene.go).
type tx struct {
	db     *DB
	parent *tx
	root   *tx
	ptx    pgx.Tx

	// Outermost only.
	conn     *pgxpool.Conn
	ep       *endpoint // where it runs: the primary, or a replica (read-only InTx)
	session  *Session
	readOnly bool
	dirty    dirtyFlags

	mu    sync.Mutex // guards hooks and done (fn may spawn goroutines)
	hooks []func()
	done  bool
}

var _ pgx.Tx = (*tx)(nil)

// TxOption configures InTx.
type TxOption func(*txConfig)

type txConfig struct {
	opts     pgx.TxOptions
	attempts int // whole-transaction attempts on 40001/40P01; 1 = no retry
}

// WithIsolation sets the isolation level (default: the server's,
// normally read committed).
func WithIsolation(level pgx.TxIsoLevel) TxOption {
	return func(c *txConfig) { c.opts.IsoLevel = level }
}

// ReadOnly makes the transaction READ ONLY and lets InTx route it like a
// read: to a replica that is up, within Config.MaxReplicaLag, not broken,
// and — with a Session in ctx — has replayed the session's last write
// (waiting up to Config.ReplicaWait for one to); otherwise to the primary.
// UsePrimary(ctx) keeps it on the primary, as does WithIsolation(
// pgx.Serializable) (a hot standby refuses serializable mode). Config.OnBegin
// runs on whichever server it begins on. A write inside it fails with
// SQLSTATE 25006 on either; what a hot standby refuses even to read-only
// transactions (temporary tables, LISTEN, NOTIFY, txid_current()) fails
// on a replica only — use UsePrimary for those. On a nested InTx it
// has no effect: the savepoint stays in the enclosing transaction.
func ReadOnly() TxOption {
	return func(c *txConfig) { c.opts.AccessMode = pgx.ReadOnly }
}

// Deferrable makes a SERIALIZABLE READ ONLY transaction DEFERRABLE.
func Deferrable() TxOption {
	return func(c *txConfig) { c.opts.DeferrableMode = pgx.Deferrable }
}

// RetryConflicts re-runs the whole transaction — fn included — when it
// fails with a serialization failure (40001) or a deadlock (40P01), up to
// maxAttempts runs in all, with full-jitter backoff (Config.Retry delays)
// and never sleeping past ctx's deadline. Opt-in, because fn may have side
// effects outside the database; use AfterCommit for those. Ignored on a
// nested InTx (a conflict aborts the outermost transaction).
func RetryConflicts(maxAttempts int) TxOption {
	return func(c *txConfig) { c.attempts = maxAttempts }
}

// InTx runs fn in a transaction: on the primary, or — with ReadOnly — on
// the endpoint a routed read would use (see ReadOnly). The ctx passed to fn
// carries the transaction: every *DB call made with it (and any repository
// over this DB) joins it. InTx commits when fn returns nil and rolls back
// when it returns an error or panics (re-panicking after the rollback).
// Called with a ctx already carrying a transaction of this DB, it uses a
// savepoint instead, and options are ignored. Callbacks registered with
// AfterCommit run after the outermost commit succeeds.
//
// Acquiring a connection and BEGIN are retried like a read. When a
// read-only transaction cannot begin on a replica for an infrastructure
// reason (connection refused or lost, breaker open, replica shutting
// down), it begins on the primary instead. Once fn runs, nothing moves:
// its errors are returned, and the transaction is run again only under
// RetryConflicts.
func (db *DB) InTx(ctx context.Context, fn func(ctx context.Context) error, opts ...TxOption) error {
	if err := db.usable(ctx); err != nil {
		return err
	}
	if fn == nil {
		return errNilTxFunc
	}
	cfg := txConfig{attempts: 1}
	for _, o := range opts {
		o(&cfg)
	}
	if parent := db.txOf(stateOf(ctx)); parent != nil {
		sp, err := parent.begin(ctx)
		if err != nil {
			return err
		}
		return sp.run(ctx, fn)
	}
	if cfg.attempts <= 1 {
		_, err := db.runTx(ctx, cfg.opts, fn)
		return err
	}
	return db.retryTx(ctx, cfg, fn)
}

// runTx runs one transaction of InTx and returns where it ran (or would
// have begun).
func (db *DB) runTx(ctx context.Context, opts pgx.TxOptions, fn func(context.Context) error) (*endpoint, error) {
	t, err := db.beginRoot(ctx, opts, true)
	if err != nil {
		return db.primary, err
	}
	return t.ep, t.run(ctx, fn)
}

// retryTx runs the whole transaction again after a serialization failure
// or deadlock, as RetryConflicts describes. Each run is routed afresh.
func (db *DB) retryTx(ctx context.Context, cfg txConfig, fn func(context.Context) error) error {
	e, first := db.runTx(ctx, cfg.opts, fn)
	if first == nil || !isTxConflict(first) {
		return first
	}
	plan := &retryPlan{db: db, ctx: ctx, endpoint: e.label, attempts: cfg.attempts,
		mayRetry: func(err error, _ int) bool { return isTxConflict(err) }}
	return plan.run(first, func() error {
		e, err := db.runTx(ctx, cfg.opts, fn)
		plan.endpoint = e.label
		return err
	})
}

// run calls fn with a ctx carrying t and ends t accordingly.
func (t *tx) run(ctx context.Context, fn func(context.Context) error) (err error) {
	txCtx := withState(ctx, func(s *ctxState) { s.txs = append(s.txs[:len(s.txs):len(s.txs)], t) })
	defer func() {
		if p := recover(); p != nil {
			_ = t.Rollback(ctx) // the panic matters more than a failed rollback
			panic(p)
		}
	}()
	if err := fn(txCtx); err != nil {
		err = withCause(ctx, err)
		if rbErr := t.Rollback(ctx); rbErr != nil && !errors.Is(rbErr, pgx.ErrTxClosed) {
			return errors.Join(err, fmt.Errorf("pool: rollback: %w", rbErr))
		}
		return err
	}
	if err := t.Commit(ctx); err != nil {
		return fmt.Errorf("pool: commit: %w", err)
	}
	return nil
}

// Begin starts a transaction on the primary, or a savepoint when ctx
// carries a transaction of this DB. The returned pgx.Tx is not put in any
// ctx (use InTx for that); OnBegin and session hygiene apply to it. Commit
// or Rollback it to return its connection. Begin and BeginTx always use
// the primary, even READ ONLY: the caller holds the pgx.Tx and may expect
// any of it to run there; InTx with ReadOnly is the routed form.
func (db *DB) Begin(ctx context.Context) (pgx.Tx, error) {
	return db.BeginTx(ctx, pgx.TxOptions{})
}

// BeginTx is Begin with options (ignored for a savepoint).
func (db *DB) BeginTx(ctx context.Context, opts pgx.TxOptions) (pgx.Tx, error) {
	if err := db.usable(ctx); err != nil {
		return nil, err
	}
	if parent := db.txOf(stateOf(ctx)); parent != nil {
		return parent.begin(ctx)
	}
	return db.beginRoot(ctx, opts, false)
}

// beginRoot begins an outermost transaction: on a replica when routed is
// set (InTx), opts allow it (replicaTx) and routing picks one, otherwise on
// the primary. A replica that fails before the transaction is handed out
// (acquire, BEGIN or OnBegin) for a reason of its own (replicaFailed)
// gives way to the primary; on the primary, acquiring and BEGIN are
// retried like a read (nothing has happened yet).
func (db *DB) beginRoot(ctx context.Context, opts pgx.TxOptions, routed bool) (*tx, error) {
	if db.state.Load() != stateOpen {
		return nil, ErrClosed
	}
	st := stateOf(ctx)
	if routed && len(db.replicas) > 0 && replicaTx(opts) {
		if e := db.route(ctx, st, classRead); e.replica {
			t, err := db.beginOn(ctx, st, e, opts)
			if err == nil || !replicaFailed(ctx, err) {
				return t, err
			}
		}
	}
	return db.beginOn(ctx, st, db.primary, opts)
}

// beginOn acquires a connection of e, begins, and runs OnBegin. With retry,
// acquiring and BEGIN are retried like a read.
func (db *DB) beginOn(ctx context.Context, st *ctxState, e *endpoint, opts pgx.TxOptions) (*tx, error) {
	t := &tx{db: db, ep: e, readOnly: opts.AccessMode == pgx.ReadOnly}
	t.root = t
	if st != nil {
		t.session = st.session
	}
	err := t.open(ctx, e, opts)
	if err != nil && !e.replica { // a replica gives way to the primary instead
		plan := &retryPlan{db: db, ctx: ctx, sql: "BEGIN", endpoint: e.label,
			mayRetry: func(err error, n int) bool { return mayRetryStatement(err, n, true, false) }}
		err = plan.run(err, func() error { return t.open(ctx, e, opts) })
	}
	if err != nil {
		return nil, fmt.Errorf("pool: begin on %s: %w", e.label, redact.Wrap(err))
	}
	if hook := db.cfg.OnBegin; hook != nil {
		if err := hook(ctx, t); err != nil {
			_ = t.Rollback(ctx) // the hook's error is the one to report
			return nil, fmt.Errorf("pool: OnBegin on %s: %w", e.label, redact.Wrap(err))
		}
	}
	return t, nil
}

// replicaFailed reports whether a transaction that could not begin on a
// replica should begin on the primary instead: the replica could not be
// reached or refused the call (a connection that cannot be made or was
// lost, a shutdown, too many clients, an open breaker), or canceled the
// work for a recovery conflict. Nothing of fn has run. A canceled ctx,
// a closed DB, and the hook's own errors are returned as they are.
func replicaFailed(ctx context.Context, err error) bool {
	// The same rule as for a read that failed before it ran, plus an open
	// breaker, which a read waits out but a replica begin need not.
	return ctx.Err() == nil && (errors.Is(err, ErrCircuitOpen) || mayRetryStatement(err, 1, true, false))
}

func (t *tx) open(ctx context.Context, e *endpoint, opts pgx.TxOptions) error {
	tk, err := e.br.allow()
	if err != nil {
		return err
	}
	conn, err := e.pool.Acquire(ctx)
	if err == nil {
		t.ptx, err = conn.BeginTx(ctx, opts)
		if err != nil {
			conn.Release()
		}
	}
	e.br.finish(tk, outcomeOf(ctx, err))
	if err != nil {
		return err
	}
	t.conn = conn
	return nil
}

// begin starts a savepoint inside t.
func (t *tx) begin(ctx context.Context) (*tx, error) {
	if err := t.usable(); err != nil {
		return nil, err
	}
	sp, err := t.ptx.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("pool: savepoint: %w", err)
	}
	return &tx{db: t.db, parent: t, root: t.root, ptx: sp}, nil
}

// Begin starts a savepoint (pgx.Tx).
func (t *tx) Begin(ctx context.Context) (pgx.Tx, error) { return t.begin(ctx) }

// usable refuses statements once Shutdown's deadline passed.
func (t *tx) usable() error {
	if t.db.state.Load() == stateStopped {
		return ErrClosed
	}
	return nil
}

// Commit commits (or releases the savepoint). After the outermost commit
// it cleans the connection if needed, returns it, advances the ctx's
// read-your-writes session, then runs the AfterCommit callbacks.
func (t *tx) Commit(ctx context.Context) error {
	if !t.finish() {
		return pgx.ErrTxClosed
	}
	err := t.ptx.Commit(ctx)
	if t.parent != nil {
		if err == nil {
			t.parent.adopt(t.takeHooks())
		}
		return err
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), t.db.cfg.CancelGracePeriod+time.Second)
	defer cancel()
	if err == nil && !t.readOnly && !t.ep.replica {
		if t.db.ryw {
			t.db.writes.note()
		}
		if t.session != nil {
			t.db.remember(rctx, t.conn, t.session)
		}
	}
	t.release(rctx)
	if err != nil {
		return failed(ctx, t.ep, "commit", err)
	}
	for _, fn := range t.takeHooks() {
		fn()
	}
	return nil
}

// Rollback rolls back (or to the savepoint) and drops the callbacks
// registered since. It returns pgx.ErrTxClosed after Commit or Rollback,
// so it is safe to defer.
func (t *tx) Rollback(ctx context.Context) error {
	if !t.finish() {
		return pgx.ErrTxClosed
	}
	t.takeHooks()
	// The caller's ctx may be why we are rolling back; do it regardless.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), t.db.cfg.CancelGracePeriod+time.Second)
	defer cancel()
	err := t.ptx.Rollback(rctx)
	if t.parent == nil {
		t.release(rctx)
	}
	return err
}

func (t *tx) finish() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done {
		return false
	}
	t.done = true
	return true
}

func (t *tx) takeHooks() []func() {
	t.mu.Lock()
	defer t.mu.Unlock()
	h := t.hooks
	t.hooks = nil
	return h
}

func (t *tx) adopt(hooks []func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.hooks = append(t.hooks, hooks...)
}

// afterCommit registers fn on t, or reports false when t already ended.
func (t *tx) afterCommit(fn func()) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.done {
		return false
	}
	t.hooks = append(t.hooks, fn)
	return true
}

// AfterCommit registers fn with the innermost transaction in ctx, to run
// after the outermost transaction of its DB commits (it is dropped if that
// transaction, or the savepoint it was registered in, rolls back). With
// no transaction in ctx, fn runs now. Cache invalidation belongs here: a
// reader never sees the old value cached again after the commit.
func AfterCommit(ctx context.Context, fn func()) {
	if fn == nil {
		return
	}
	if ctx == nil {
		fn()
		return
	}
	if st := stateOf(ctx); st != nil && len(st.txs) > 0 && st.txs[len(st.txs)-1].afterCommit(fn) {
		return
	}
	fn()
}

// AfterCommit registers fn like the package function AfterCommit, for
// callers that discover the ability by type assertion on the value they
// were handed:
//
//	type afterCommitter interface{ AfterCommit(ctx context.Context, fn func()) bool }
//
// It returns false, without running fn, when ctx carries no open
// transaction of this DB; the caller then runs fn itself.
func (db *DB) AfterCommit(ctx context.Context, fn func()) bool {
	if db.usable(ctx) != nil || fn == nil {
		return false
	}
	t := db.txOf(stateOf(ctx))
	return t != nil && t.afterCommit(fn)
}

// HasTx reports whether ctx carries an open transaction (or savepoint) of
// this DB, begun by InTx or Begin: the calls made with ctx then join it.
// It is false for a ctx carrying no transaction, one of another DB, or one
// that has ended, and for a DB not made by Open. repo asks it (through its
// TxCarrier interface) to keep reads inside a transaction away from its
// cache.
func (db *DB) HasTx(ctx context.Context) bool {
	if db.usable(ctx) != nil {
		return false
	}
	t := db.txOf(stateOf(ctx))
	return t != nil && t.live()
}

// live reports whether t has not ended.
func (t *tx) live() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return !t.done
}

// The pgx executor surface of a transaction. Statements are not retried
// (the transaction is the unit); session-level ones mark the connection
// for cleaning.

func (t *tx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if err := t.note(sql); err != nil {
		return pgconn.CommandTag{}, err
	}
	tag, err := t.ptx.Exec(ctx, sql, args...)
	return tag, withCause(ctx, err)
}

func (t *tx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if err := t.note(sql); err != nil {
		return errRows(err), err //nolint:rowserrcheck // closed rows carrying err
	}
	rows, err := t.ptx.Query(ctx, sql, args...) //nolint:rowserrcheck // the caller owns and checks the rows
	if err != nil {
		return rows, withCause(ctx, err)
	}
	return &txRows{Rows: rows, ctx: ctx}, nil
}

func (t *tx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if err := t.note(sql); err != nil {
		return errRows(err).(pgx.Row) //nolint:rowserrcheck // Scan returns err
	}
	return &txRow{row: t.ptx.QueryRow(ctx, sql, args...), ctx: ctx}
}

func (t *tx) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	for _, q := range b.QueuedQueries {
		if err := t.note(q.SQL); err != nil {
			return &batchResults{err: err}
		}
	}
	return t.ptx.SendBatch(ctx, b)
}

func (t *tx) CopyFrom(ctx context.Context, tableName pgx.Identifier, columnNames []string, rowSrc pgx.CopyFromSource) (int64, error) {
	if err := t.usable(); err != nil {
		return 0, err
	}
	return t.ptx.CopyFrom(ctx, tableName, columnNames, rowSrc)
}

func (t *tx) LargeObjects() pgx.LargeObjects { return t.ptx.LargeObjects() }

func (t *tx) Prepare(ctx context.Context, name, sql string) (*pgconn.StatementDescription, error) {
	if err := t.usable(); err != nil {
		return nil, err
	}
	return t.ptx.Prepare(ctx, name, sql)
}

func (t *tx) Conn() *pgx.Conn { return t.ptx.Conn() }

// note checks that the transaction may still run statements and records
// session-level ones for cleaning at release.
func (t *tx) note(sql string) error {
	if err := t.usable(); err != nil {
		return err
	}
	if cl := t.db.cls.classify(sql); cl.session() {
		t.root.dirty.mark(cl)
	}
	return nil
}
