package pool

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DB is a primary and its replicas behind one pgx-shaped surface: Exec,
// Query, QueryRow, SendBatch, CopyFrom, Begin and BeginTx. It routes,
// retries, breaks circuits and joins the transaction carried by ctx (see
// the package doc). It is safe for concurrent use; create it with Open and
// stop it with Shutdown or Close.
type DB struct {
	cfg      Config
	primary  *endpoint
	replicas []*endpoint
	cls      classifier
	next     atomic.Uint64 // round-robin counter over replicas
	state    atomic.Int32  // stateOpen, stateDraining, stateStopped
	conns    connRegistry
	writes   writeTracker // read-your-writes of the whole DB (writes.go)
	ryw      bool         // writes are tracked: replicas and not AllowStaleReads

	stopLoops context.CancelFunc
	loops     sync.WaitGroup
	shutdown  shutdownState
}

// Open validates cfg, creates one pgxpool per endpoint, and checks every
// endpoint once. An unreachable primary fails Open (with an error naming
// it); a replica that is down is only marked down and joins the rotation
// when the health loop sees it up. The health loops run until Shutdown.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	b, err := cfg.build()
	if err != nil {
		return nil, err
	}
	db := &DB{cfg: b.cfg, ryw: len(b.replicas) > 0 && !b.cfg.AllowStaleReads}
	db.writes.wake = make(chan struct{}, 1)
	db.primary, err = db.openEndpoint(ctx, b.primary, false)
	if err != nil {
		return nil, err
	}
	for _, rc := range b.replicas {
		r, err := db.openEndpoint(ctx, rc, true)
		if err != nil {
			db.closeAll(ctx, time.Now().Add(closeWait))
			return nil, err
		}
		db.replicas = append(db.replicas, r)
	}
	if err := db.firstCheck(ctx); err != nil {
		db.closeAll(ctx, time.Now().Add(closeWait))
		return nil, err
	}
	loopCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	db.stopLoops = stop
	for _, e := range db.endpoints() {
		db.loops.Add(1)
		go func() {
			defer db.loops.Done()
			db.healthLoop(loopCtx, e)
		}()
	}
	if db.ryw {
		db.loops.Add(1)
		go func() {
			defer db.loops.Done()
			db.trackWrites(loopCtx)
		}()
	}
	return db, nil
}

func (db *DB) openEndpoint(ctx context.Context, ec endpointConfig, replica bool) (*endpoint, error) {
	// Before newEndpoint: the health probe's connections copy ConnConfig,
	// so they dial the way the user's adjustments say (TLS, DialFunc, …).
	if db.cfg.ConfigurePool != nil {
		if err := db.cfg.ConfigurePool(ec.name, ec.pool); err != nil {
			return nil, fmt.Errorf("pool: Config.ConfigurePool for %s (%s): %w", ec.name, ec.addr, err)
		}
	}
	e := newEndpoint(ec, replica, db.cfg.Breaker)
	db.chainHooks(e, ec.pool)
	p, err := pgxpool.NewWithConfig(ctx, ec.pool)
	if err != nil {
		return nil, fmt.Errorf("pool: open %s: %w", e.label, err)
	}
	e.pool = p
	return e, nil
}

// firstCheck probes every endpoint concurrently; only the primary's
// failure is fatal.
func (db *DB) firstCheck(ctx context.Context) error {
	var wg sync.WaitGroup
	for _, r := range db.replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = db.check(ctx, r) // a down replica is recorded, not fatal
		}()
	}
	err := db.check(ctx, db.primary)
	if err == nil {
		err = db.primary.pool.Ping(ctx)
	}
	wg.Wait()
	if err != nil {
		return fmt.Errorf("pool: open: %s is unreachable: %w", db.primary.label, err)
	}
	return nil
}

func (db *DB) endpoints() []*endpoint {
	all := make([]*endpoint, 0, 1+len(db.replicas))
	return append(append(all, db.primary), db.replicas...)
}

// usable refuses the calls a DB cannot serve, with an error matching
// ErrMisuse instead of a panic: a DB not made by Open, a nil ctx.
func (db *DB) usable(ctx context.Context) error {
	if !db.opened() {
		return errNotOpened
	}
	if ctx == nil {
		return errNilCtx
	}
	return nil
}

// opened reports whether db was made by Open.
func (db *DB) opened() bool { return db != nil && db.primary != nil }

// Primary returns the primary's pgxpool, an escape hatch that bypasses
// routing, retries, breakers, the transaction in ctx and session hygiene.
// It is nil for a DB not made by Open.
func (db *DB) Primary() *pgxpool.Pool {
	if !db.opened() {
		return nil
	}
	return db.primary.pool
}

// Replica returns the pgxpool a read would use now: a healthy replica, or
// the primary when none is. Like Primary it bypasses everything else.
func (db *DB) Replica() *pgxpool.Pool {
	if !db.opened() {
		return nil
	}
	return db.pick(nil, classRead, nil).pool
}

// Replicas returns every replica's pgxpool, healthy or not, in Config order.
func (db *DB) Replicas() []*pgxpool.Pool {
	if !db.opened() {
		return nil
	}
	out := make([]*pgxpool.Pool, len(db.replicas))
	for i, r := range db.replicas {
		out[i] = r.pool
	}
	return out
}

// txOf returns the transaction of this DB carried by st, if any.
func (db *DB) txOf(st *ctxState) *tx {
	if st == nil {
		return nil
	}
	for i := len(st.txs) - 1; i >= 0; i-- {
		if st.txs[i].db == db {
			return st.txs[i]
		}
	}
	return nil
}

// admit refuses calls after Shutdown began and session-level statements,
// and classifies the rest.
func (db *DB) admit(sql string) (class, error) {
	if db.state.Load() != stateOpen {
		return 0, ErrClosed
	}
	cl := db.cls.classify(sql)
	if cl.session() {
		return cl, sessionError(cl)
	}
	return cl, nil
}

// Exec runs sql (raw SQL; values belong in args) and returns its command
// tag: in ctx's transaction if there is one, otherwise on the endpoint
// routing picks, with retries and breaker as the package doc describes.
func (db *DB) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if err := db.usable(ctx); err != nil {
		return pgconn.CommandTag{}, err
	}
	st := stateOf(ctx)
	if t := db.txOf(st); t != nil {
		return t.Exec(ctx, sql, args...)
	}
	cl, err := db.admit(sql)
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	e := db.route(ctx, st, cl)
	tag, err := execOn(ctx, e, sql, args)
	if err != nil {
		return db.execAgain(ctx, st, cl, e, err, sql, args)
	}
	db.afterWrite(ctx, st, cl, e)
	return tag, nil
}

func execOn(ctx context.Context, e *endpoint, sql string, args []any) (pgconn.CommandTag, error) {
	t, err := e.br.allow()
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	tag, err := e.pool.Exec(ctx, sql, args...)
	e.br.finish(t, outcomeOf(ctx, err))
	return tag, err
}

func (db *DB) execAgain(ctx context.Context, st *ctxState, cl class, e *endpoint, first error, sql string, args []any) (pgconn.CommandTag, error) {
	var tag pgconn.CommandTag
	last, err := db.again(ctx, st, cl, e, first, sql, func(e *endpoint) error {
		var err error
		tag, err = execOn(ctx, e, sql, args)
		return err
	})
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	db.afterWrite(ctx, st, cl, last)
	return tag, nil
}

// QueryRow returns a row whose Scan runs sql (raw SQL) like Exec does. The
// statement is sent when Scan is called, which lets a routed read be
// retried or moved to the primary before the caller sees an error.
func (db *DB) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if err := db.usable(ctx); err != nil {
		return errRows(err).(pgx.Row) //nolint:rowserrcheck // Scan returns err
	}
	st := stateOf(ctx)
	if t := db.txOf(st); t != nil {
		return t.QueryRow(ctx, sql, args...)
	}
	return &row{db: db, ctx: ctx, st: st, sql: sql, args: args}
}

// Query runs sql (raw SQL) and returns its rows, like Exec does. A routed
// read that fails before its first row (connection loss, or a replica
// refusing it as a write) is retried or moved to the primary
// transparently.
func (db *DB) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if err := db.usable(ctx); err != nil {
		return errRows(err), err //nolint:rowserrcheck // closed rows carrying err
	}
	st := stateOf(ctx)
	if t := db.txOf(st); t != nil {
		return t.Query(ctx, sql, args...) //nolint:rowserrcheck // the caller owns and checks the rows
	}
	cl, err := db.admit(sql)
	if err != nil {
		return errRows(err), err //nolint:rowserrcheck // closed rows carrying err
	}
	e := db.route(ctx, st, cl)
	r := &rows{db: db, ctx: ctx, st: st, cl: cl, sql: sql, args: args}
	if err := r.start(e); err != nil {
		if err = r.startAgain(e, err); err != nil {
			return errRows(err), err //nolint:rowserrcheck // closed rows carrying err
		}
	}
	return r, nil
}

// QueryRead is Query with UseReplica: the caller vouches that sql only reads.
func (db *DB) QueryRead(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if err := db.usable(ctx); err != nil {
		return errRows(err), err //nolint:rowserrcheck // closed rows carrying err
	}
	return db.Query(UseReplica(ctx), sql, args...) //nolint:rowserrcheck // the caller owns and checks the rows
}

// SendBatch sends b to the primary (or through ctx's transaction). Every
// queued statement is checked for session-level state first. Batches are
// not retried: the caller sees each statement's own result.
func (db *DB) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	if err := db.usable(ctx); err != nil {
		return &batchResults{err: err}
	}
	if b == nil {
		return &batchResults{err: fmt.Errorf("%w: SendBatch called with a nil *pgx.Batch", ErrMisuse)}
	}
	st := stateOf(ctx)
	if t := db.txOf(st); t != nil {
		return t.SendBatch(ctx, b)
	}
	for _, q := range b.QueuedQueries {
		if _, err := db.admit(q.SQL); err != nil {
			return &batchResults{err: err}
		}
	}
	if db.state.Load() != stateOpen {
		return &batchResults{err: ErrClosed}
	}
	e := db.primary
	t, err := e.br.allow()
	if err != nil {
		return &batchResults{err: err}
	}
	return &batchResults{db: db, ctx: ctx, st: st, e: e, t: t, inner: e.pool.SendBatch(ctx, b)}
}

// CopyFrom copies rows into tableName on the primary (or through ctx's
// transaction) with COPY FROM STDIN. It is never retried: rowSrc may have
// been consumed.
func (db *DB) CopyFrom(ctx context.Context, tableName pgx.Identifier, columnNames []string, rowSrc pgx.CopyFromSource) (int64, error) {
	if err := db.usable(ctx); err != nil {
		return 0, err
	}
	if rowSrc == nil {
		return 0, fmt.Errorf("%w: CopyFrom called with a nil pgx.CopyFromSource", ErrMisuse)
	}
	st := stateOf(ctx)
	if t := db.txOf(st); t != nil {
		return t.CopyFrom(ctx, tableName, columnNames, rowSrc)
	}
	if db.state.Load() != stateOpen {
		return 0, ErrClosed
	}
	e := db.primary
	t, err := e.br.allow()
	if err != nil {
		return 0, err
	}
	n, err := e.pool.CopyFrom(ctx, tableName, columnNames, rowSrc)
	e.br.finish(t, outcomeOf(ctx, err))
	if err != nil {
		return n, fmt.Errorf("pool: copy into %s: %w", tableName.Sanitize(), failed(ctx, e, "copy", err))
	}
	db.afterWrite(ctx, st, 0, e)
	return n, nil
}

// afterWrite records a statement that may have written and succeeded on
// the primary: the DB's own reads now wait for it to be replayed (unless
// AllowStaleReads), and the read-your-writes session of st, if any,
// advances to it.
func (db *DB) afterWrite(ctx context.Context, st *ctxState, cl class, e *endpoint) {
	if cl.read() || e.replica {
		return
	}
	if db.ryw {
		db.writes.note()
	}
	if st != nil && st.session != nil {
		db.remember(ctx, e.pool, st.session)
	}
}

// again is the slow path after a statement's first attempt failed: a read
// a replica refused as a write moves to the primary once; a read-only
// error from the primary triggers a role re-check; then the retry rules
// apply. It returns the endpoint of the last attempt.
func (db *DB) again(ctx context.Context, st *ctxState, cl class, e *endpoint, first error, sql string,
	op func(*endpoint) error) (*endpoint, error) {
	if errors.Is(first, pgx.ErrNoRows) {
		return e, first
	}
	last := e
	final := false // a read-only primary that is not in recovery: retrying cannot help
	readOnly := func(e *endpoint, err error) error {
		if e.replica {
			last = db.primary
			err := op(db.primary)
			if err == nil {
				// The replica refused it as a write: it wrote on the primary.
				db.afterWrite(ctx, st, 0, db.primary)
			}
			return err
		}
		if !db.demoted(ctx, e) {
			final = true
		}
		return err
	}
	attempt := func(e *endpoint) error {
		last = e
		err := op(e)
		if err != nil && isReadOnlyViolation(err) {
			err = readOnly(e, err)
		}
		return err
	}
	if isReadOnlyViolation(first) {
		if first = readOnly(e, first); first == nil {
			return last, nil
		}
	}
	idempotent := st != nil && st.idempotent
	plan := &retryPlan{db: db, ctx: ctx, sql: sql, endpoint: last.label,
		mayRetry: func(err error, n int) bool {
			return !final && db.state.Load() == stateOpen && mayRetryStatement(err, n, last.replica, idempotent)
		}}
	err := plan.run(first, func() error {
		var avoid *endpoint
		if last.replica {
			avoid = last
		}
		next := db.pick(st, cl, avoid)
		plan.endpoint = next.label
		return attempt(next)
	})
	err = failed(ctx, last, "statement", err)
	if err != nil && isInfraFailure(err) && !errors.Is(err, ErrCircuitOpen) {
		err = fmt.Errorf("pool: %s: %w", last.label, err)
	}
	return last, err
}

// demoted reacts to a read-only error (25006) from the primary. If the
// server behind the pool is in recovery — a failover demoted it while
// SELECT 1 still passes — its connections are dropped so that new ones
// follow the DSN (multi-host with target_session_attrs=read-write), and it
// reports true: the statement may be retried. A primary that is not in
// recovery refused the write for another reason (default_transaction_read_only,
// a read-only transaction): nothing is reset, and it reports false.
func (db *DB) demoted(ctx context.Context, e *endpoint) bool {
	defer e.recheck()
	ctx, cancel := context.WithTimeout(ctx, db.cfg.CancelGracePeriod+time.Second)
	defer cancel()
	var inRecovery bool
	if err := e.pool.QueryRow(ctx, "SELECT pg_is_in_recovery()").Scan(&inRecovery); err != nil || !inRecovery {
		return false
	}
	e.pool.Reset()
	return true
}
