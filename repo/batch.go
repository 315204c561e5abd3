package repo

import (
	"context"
	"reflect"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/normkit/norm/sqlb"
)

// maxParams is PostgreSQL's limit of parameters in one statement.
const maxParams = 65535

// chunkRows returns how many rows of ncols parameters fit one statement.
func chunkRows(ncols int) int {
	if ncols < 1 {
		return 1
	}
	return max(1, maxParams/ncols)
}

// CreateBatch inserts items with multi-row INSERT … RETURNING statements,
// each under the 65,535-parameter limit, and fills generated and default
// values back into items. From 5,000 items, in a transaction that can COPY
// (pgx.Tx, as begun from a *pgx.Conn, *pgxpool.Pool or *pool.DB), the rows
// go through COPY into a temporary table and one INSERT … SELECT …
// RETURNING instead, which measured about twice as fast at 10,000 rows; a
// role that may not create temporary tables gets the multi-row INSERT.
// It is all-or-nothing: it runs in a transaction
// (a savepoint inside the caller's), so on any error nothing is written
// and items are left as given. Values follow Create's rule (a field with a
// default: tag holding its zero value is DEFAULT in its row).
// Before/AfterCreate hooks run for each item. Returned rows are matched to
// items by position, in the order PostgreSQL returns a VALUES insert.
//
// A statement that returns fewer rows than it inserted — a BEFORE INSERT
// trigger or a rule skipped or redirected some, as with partitioning by
// inheritance — cannot be matched to items, so it fails the call with
// ErrInvalid rather than fill the wrong values in; nothing is written.
func (r *Repository[T]) CreateBatch(ctx context.Context, items []T) error {
	if err := r.usable("CreateBatch"); err != nil {
		return err
	}
	if r.wrapNotify(ctx) {
		return r.notifying(ctx, "CreateBatch", func(w *Repository[T]) error { return w.CreateBatch(ctx, items) })
	}
	const op = "CreateBatch"
	if len(items) == 0 {
		return nil
	}
	saved := slices.Clone(items) // the back-fill of rows later undone
	short := func(n, total int) error {
		return errorf(op, r.table(), ErrInvalid,
			"%d of %d rows were not returned by the INSERT (a BEFORE INSERT trigger or a rule skipped or redirected them), so rows cannot be matched to items; nothing was written", n, total)
	}
	run := func(ctx context.Context, q Querier) error {
		for i := range items {
			if err := callHook(ctx, &items[i], hookBeforeCreate); err != nil {
				return wrapErr(op+": BeforeCreate", r.table(), err)
			}
		}
		ret := r.mt.createReturning()
		copied := false
		if len(items) >= copyThreshold {
			var err error
			if copied, err = r.copyInsert(ctx, q, op, items, ret, short); err != nil {
				return err
			}
		}
		if !copied {
			cols := make([]string, len(ret))
			for i, f := range ret {
				cols[i] = f.Column
			}
			if err := r.batchInsert(ctx, q, op, items, func(rows []reflect.Value) (sqlb.InsertBuilder, error) {
				return r.insertBuilder(rows).Returning(cols...), nil
			}, ret, short); err != nil {
				return err
			}
		}
		for i := range items {
			if err := callHook(ctx, &items[i], hookAfterCreate); err != nil {
				return wrapErr(op+": AfterCreate", r.table(), err)
			}
		}
		return nil
	}
	if err := r.inTx(ctx, op, run); err != nil {
		copy(items, saved)
		return err
	}
	r.invalidateItems(ctx, items)
	return nil
}

// UpsertBatch upserts items (see Upsert for the options) in statements
// under the parameter limit, all-or-nothing like CreateBatch, and scans
// the stored rows back into items. With DoNothing, conflicting rows return
// nothing, so items are not back-filled; the count written is returned
// either way. Two items with the same conflict key in one statement are a
// server error (ON CONFLICT cannot affect a row twice).
//
// Soft delete is scoped as for Upsert: by default a conflicting
// soft-deleted row is not updated, and then the whole call fails with
// ErrNotFound, nothing written and items left as given. To undo the rows
// of the same statement that were written, a soft-delete model upserts in
// a transaction (a savepoint inside the caller's) even for one statement,
// which needs the Querier's Begin. WithTrashed() overwrites conflicting
// rows whatever their state, in one statement when the batch fits one;
// DoNothing is never scoped.
func (r *Repository[T]) UpsertBatch(ctx context.Context, items []T, opts ...UpsertOption) (int64, error) {
	if err := r.usable("UpsertBatch"); err != nil {
		return 0, err
	}
	if r.wrapNotify(ctx) {
		return notifyingN(ctx, r, "UpsertBatch", func(w *Repository[T]) (int64, error) { return w.UpsertBatch(ctx, items, opts...) })
	}
	const op = "UpsertBatch"
	spec, err := r.upsertOf(op, opts)
	if err != nil {
		return 0, err
	}
	if len(items) == 0 {
		return 0, nil
	}
	scoped := r.upsertScope(spec) != nil
	var (
		saved []T
		short func(n, total int) error
	)
	if scoped {
		saved = slices.Clone(items) // rows left out shift the back-fill: undo it on error
		short = func(n, total int) error { return r.upsertOutOfView(op, n, total) }
	}
	var written int64
	run := func(ctx context.Context, q Querier) error {
		written = 0
		build := func(rows []reflect.Value) (sqlb.InsertBuilder, error) {
			return r.upsertBuilder(op, spec, rows)
		}
		if spec.nothing {
			n, err := r.batchExec(ctx, q, op, items, build)
			written = n
			return err
		}
		written = int64(len(items))
		return r.batchInsert(ctx, q, op, items, build, nil, short)
	}
	single := len(items) <= chunkRows(len(r.mt.m.Fields))
	if err := r.write(ctx, op, !single || scoped, run); err != nil {
		if scoped {
			copy(items, saved)
		}
		return 0, err
	}
	r.invalidateItems(ctx, items)
	return written, nil
}

// chunks calls fn with consecutive chunks of items as addressable values.
func (r *Repository[T]) chunks(items []T, fn func(start int, rows []reflect.Value) error) error {
	size := chunkRows(len(r.mt.m.Fields))
	for start := 0; start < len(items); start += size {
		end := min(start+size, len(items))
		rows := make([]reflect.Value, 0, end-start)
		for i := start; i < end; i++ {
			rows = append(rows, reflect.ValueOf(&items[i]).Elem())
		}
		if err := fn(start, rows); err != nil {
			return err
		}
	}
	return nil
}

// batchInsert runs one statement per chunk and scans the returned rows
// (the fields ret, in order; every field when ret is nil) back into the
// chunk's items, in order. When short is not nil, a
// statement that returns fewer rows than it was given (an upsert whose DO
// UPDATE skipped rows outside the soft-delete view) fails with
// short(missing, given).
func (r *Repository[T]) batchInsert(ctx context.Context, q Querier, op string, items []T,
	build func([]reflect.Value) (sqlb.InsertBuilder, error), ret []*sqlb.Field, short func(n, total int) error) error {
	return r.chunks(items, func(start int, rows []reflect.Value) error {
		res, err := r.queryChunk(ctx, q, op, build, rows)
		if err != nil {
			return err
		}
		defer res.Close()
		dest := make([]any, 0, len(r.mt.m.Fields))
		i := 0
		for res.Next() {
			if i >= len(rows) {
				return errorf(op, r.table(), ErrInvalid, "more rows returned than inserted")
			}
			if ret != nil {
				dest = destFields(ret, rows[i], dest)
			} else {
				dest = destAll(r.mt.m, rows[i], dest)
			}
			if err := res.Scan(dest...); err != nil {
				return wrapErr(op, r.table(), err)
			}
			i++
		}
		if err := res.Err(); err != nil {
			return wrapErr(op, r.table(), err)
		}
		if i < len(rows) && short != nil {
			return short(len(rows)-i, len(rows))
		}
		return nil
	})
}

// queryChunk builds the statement of one chunk of rows and runs it.
func (r *Repository[T]) queryChunk(ctx context.Context, q Querier, op string,
	build func([]reflect.Value) (sqlb.InsertBuilder, error), rows []reflect.Value) (pgx.Rows, error) {
	b, err := build(rows)
	if err != nil {
		return nil, err
	}
	sql, args, err := b.ToSQL()
	if err != nil {
		return nil, wrapErr(op, r.table(), err)
	}
	res, err := q.Query(ctx, sql, args...) //nolint:rowserrcheck // the caller checks Err
	if err != nil {
		return nil, wrapErr(op, r.table(), err)
	}
	return res, nil
}

// batchExec runs one statement per chunk without scanning and returns the
// rows affected.
func (r *Repository[T]) batchExec(ctx context.Context, q Querier, op string, items []T,
	build func([]reflect.Value) (sqlb.InsertBuilder, error)) (int64, error) {
	var n int64
	err := r.chunks(items, func(_ int, rows []reflect.Value) error {
		// DO NOTHING with RETURNING yields only written rows; count them.
		res, err := r.queryChunk(ctx, q, op, build, rows)
		if err != nil {
			return err
		}
		defer res.Close()
		for res.Next() {
			n++
		}
		return wrapErr(op, r.table(), res.Err())
	})
	return n, err
}

// invalidateItems invalidates the cache keys of items.
func (r *Repository[T]) invalidateItems(ctx context.Context, items []T) {
	if !r.cfg.invalidates() {
		return
	}
	keys := make([][]any, len(items))
	for i := range items {
		keys[i] = r.mt.keyOf(reflect.ValueOf(&items[i]).Elem())
	}
	r.invalidate(ctx, keys...)
}
