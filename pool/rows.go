package pool

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// row is DB.QueryRow's result: the statement runs in Scan.
type row struct {
	db   *DB
	ctx  context.Context
	st   *ctxState
	sql  string
	args []any
}

// Scan runs the statement and scans its first row into dest, returning
// pgx.ErrNoRows when there is none.
func (r *row) Scan(dest ...any) error {
	db := r.db
	cl, err := db.admit(r.sql)
	if err != nil {
		return err
	}
	e := db.route(r.ctx, r.st, cl)
	if err := scanOn(r.ctx, e, r.sql, r.args, dest); err != nil {
		last, err := db.again(r.ctx, r.st, cl, e, err, r.sql, func(e *endpoint) error {
			return scanOn(r.ctx, e, r.sql, r.args, dest)
		})
		if err != nil {
			return err
		}
		e = last
	}
	db.afterWrite(r.ctx, r.st, cl, e)
	return nil
}

func scanOn(ctx context.Context, e *endpoint, sql string, args, dest []any) error {
	t, err := e.br.allow()
	if err != nil {
		return err
	}
	err = e.pool.QueryRow(ctx, sql, args...).Scan(dest...)
	e.br.finish(t, outcomeOf(ctx, err))
	return err
}

// rows is DB.Query's result. It owns the breaker ticket of the attempt
// (settled when the rows end) and may replace a failed first attempt.
type rows struct {
	db    *DB
	ctx   context.Context
	st    *ctxState
	cl    class
	sql   string
	args  []any
	e     *endpoint
	t     ticket
	inner pgx.Rows
	seen  bool // a row was delivered: no more replacing
	redo  bool // the first attempt was already replaced once
	ended bool
	err   error // the final error, shaped by failed, once ended
}

func (r *rows) start(e *endpoint) error {
	r.e = e
	t, err := e.br.allow()
	if err != nil {
		return err
	}
	r.t = t
	inner, err := e.pool.Query(r.ctx, r.sql, r.args...) //nolint:rowserrcheck // r.Err and r.end check it
	if err != nil {
		e.br.finish(t, outcomeOf(r.ctx, err))
		return err
	}
	r.inner = inner
	return nil
}

func (r *rows) startAgain(e *endpoint, first error) error {
	_, err := r.db.again(r.ctx, r.st, r.cl, e, first, r.sql, r.start)
	return err
}

func (r *rows) Next() bool {
	if r.inner.Next() {
		r.seen = true
		return true
	}
	if !r.seen && !r.redo && r.replaceFailed() {
		return r.Next()
	}
	r.end()
	return false
}

// replaceFailed re-runs a statement that failed before its first row when
// the failure allows it (a replica refusing a write, a lost connection on a
// read), reporting whether fresh rows replaced the failed ones.
func (r *rows) replaceFailed() bool {
	err := r.inner.Err()
	if err == nil || errors.Is(err, ErrClosed) {
		return false
	}
	idempotent := r.st != nil && r.st.idempotent
	if !isReadOnlyViolation(err) && !mayRetryStatement(err, 1, r.e.replica, idempotent) {
		return false
	}
	r.redo = true
	r.inner.Close()
	r.e.br.finish(r.t, outcomeOf(r.ctx, err))
	if nerr := r.startAgain(r.e, err); nerr != nil {
		r.inner = errRows(nerr) //nolint:rowserrcheck // surfaced by r.Err
		r.ended = true          // every attempt already reported to its breaker
		r.err = nerr            // already shaped by again
		return false
	}
	return true
}

// end settles the breaker and the read-your-writes session once.
func (r *rows) end() {
	if r.ended {
		return
	}
	r.ended = true
	err := r.inner.Err()
	r.e.br.finish(r.t, outcomeOf(r.ctx, err))
	if err == nil {
		r.db.afterWrite(r.ctx, r.st, r.cl, r.e)
		return
	}
	r.err = failed(r.ctx, r.e, "statement", err)
}

func (r *rows) Close() {
	r.inner.Close()
	r.end()
}

// Err returns the rows' error once they ended (after Next returned false
// or Close), shaped like every *DB error: it keeps ctx's error as a cause
// and reports a statement that may have run as ErrOutcomeUnknown.
func (r *rows) Err() error {
	if r.ended {
		return r.err
	}
	return r.inner.Err()
}

func (r *rows) CommandTag() pgconn.CommandTag                { return r.inner.CommandTag() }
func (r *rows) FieldDescriptions() []pgconn.FieldDescription { return r.inner.FieldDescriptions() }
func (r *rows) Scan(dest ...any) error                       { return r.inner.Scan(dest...) }
func (r *rows) Values() ([]any, error)                       { return r.inner.Values() }
func (r *rows) RawValues() [][]byte                          { return r.inner.RawValues() }
func (r *rows) Conn() *pgx.Conn                              { return r.inner.Conn() }
func (r *rows) TypeMap() *pgtype.Map                         { return r.inner.TypeMap() }

// failedRows is a closed pgx.Rows holding an error, returned with that
// error so that a deferred rows.Close never meets a nil.
type failedRows struct{ err error }

func errRows(err error) pgx.Rows { return &failedRows{err: err} }

func (f *failedRows) Close()                                       {}
func (f *failedRows) Err() error                                   { return f.err }
func (f *failedRows) CommandTag() pgconn.CommandTag                { return pgconn.CommandTag{} }
func (f *failedRows) FieldDescriptions() []pgconn.FieldDescription { return nil }
func (f *failedRows) Next() bool                                   { return false }
func (f *failedRows) Scan(...any) error                            { return f.err }
func (f *failedRows) Values() ([]any, error)                       { return nil, f.err }
func (f *failedRows) RawValues() [][]byte                          { return nil }
func (f *failedRows) Conn() *pgx.Conn                              { return nil }
func (f *failedRows) TypeMap() *pgtype.Map                         { return nil }

// batchResults settles the breaker when the batch is closed.
type batchResults struct {
	db     *DB
	ctx    context.Context
	st     *ctxState
	e      *endpoint
	t      ticket
	inner  pgx.BatchResults
	err    error // refused before sending
	first  error // first statement error seen, for the breaker
	closed bool
	cerr   error // Close's result, repeated by later calls
}

func (b *batchResults) Exec() (pgconn.CommandTag, error) {
	if b.err != nil {
		return pgconn.CommandTag{}, b.err
	}
	tag, err := b.inner.Exec()
	b.note(err)
	return tag, failed(b.ctx, b.e, "batch", err)
}

func (b *batchResults) Query() (pgx.Rows, error) {
	if b.err != nil {
		return errRows(b.err), b.err //nolint:rowserrcheck // closed rows carrying err
	}
	r, err := b.inner.Query() //nolint:rowserrcheck // the caller owns and checks the rows
	b.note(err)
	return r, failed(b.ctx, b.e, "batch", err)
}

func (b *batchResults) QueryRow() pgx.Row {
	if b.err != nil {
		return errRows(b.err).(pgx.Row) //nolint:rowserrcheck // Scan returns err
	}
	return b.inner.QueryRow()
}

func (b *batchResults) note(err error) {
	if err != nil && b.first == nil {
		b.first = err
	}
}

func (b *batchResults) Close() error {
	if b.err != nil {
		return b.err
	}
	if b.closed {
		return b.cerr
	}
	b.closed = true
	err := b.inner.Close()
	b.note(err)
	b.e.br.finish(b.t, outcomeOf(b.ctx, b.first))
	if b.first == nil {
		b.db.afterWrite(b.ctx, b.st, 0, b.e)
	}
	b.cerr = failed(b.ctx, b.e, "batch", err)
	return b.cerr
}

// Tx returns the transaction the batch ran in: nil outside one.
func (b *batchResults) Tx() pgx.Tx {
	if b.inner == nil {
		return nil
	}
	return b.inner.Tx()
}

// txRows are the rows of a statement inside a transaction: pgx's own,
// whose error keeps ctx's error as a cause.
type txRows struct {
	pgx.Rows
	ctx context.Context
}

func (r *txRows) Err() error { return withCause(r.ctx, r.Rows.Err()) }

// txRow is the row of QueryRow inside a transaction, likewise.
type txRow struct {
	row pgx.Row
	ctx context.Context
}

func (r *txRow) Scan(dest ...any) error { return withCause(r.ctx, r.row.Scan(dest...)) }
