package repo

import (
	"context"
	"errors"
	"reflect"

	"github.com/jackc/pgx/v5"
	"github.com/normkit/norm/sqlb"
)

// FindByID returns the entity with primary key id: a plain value for a
// single-column key, a Key for a composite one. Soft-deleted rows are not
// found unless the view is WithTrashed. It returns ErrNotFound when no row
// matches. With a cache configured, outside a transaction, it reads
// through the cache. The SQL text is built once per type.
func (r *Repository[T]) FindByID(ctx context.Context, id any) (*T, error) {
	if err := r.usable("FindByID"); err != nil {
		return nil, err
	}
	const op = "FindByID"
	key, err := r.mt.keyArgs(op, id)
	if err != nil {
		return nil, err
	}
	if r.cfg.cache != nil && !r.ctxInTx(ctx) {
		return r.cachedFind(ctx, key)
	}
	return r.findByKey(ctx, key)
}

func (r *Repository[T]) findByKey(ctx context.Context, key []any) (*T, error) {
	const op = "FindByID"
	v := new(T)
	rv := reflect.ValueOf(v).Elem()
	var buf [16]any
	dest := destAll(r.mt.m, rv, buf[:0])
	if err := r.q.QueryRow(ctx, r.mt.find[r.trash].SQL(), key...).Scan(dest...); err != nil {
		return nil, wrapErr(op, r.table(), err)
	}
	if err := r.afterFind(ctx, v); err != nil {
		return nil, wrapErr(op, r.table(), err)
	}
	return v, nil
}

// Find returns every entity matching all conds (none: every row), in no
// particular order; use Query() to order and limit. Soft-deleted rows are
// excluded unless the view says otherwise.
func (r *Repository[T]) Find(ctx context.Context, conds ...sqlb.Sqlizer) ([]T, error) {
	if err := r.usable("Find"); err != nil {
		return nil, err
	}
	return r.Query().Where(conds...).Find(ctx)
}

// FindOne returns the one entity matching conds: ErrNotFound when none
// does, ErrNotUnique when more than one does.
func (r *Repository[T]) FindOne(ctx context.Context, conds ...sqlb.Sqlizer) (*T, error) {
	if err := r.usable("FindOne"); err != nil {
		return nil, err
	}
	const op = "FindOne"
	items, err := r.Query().Where(conds...).Limit(2).run(ctx, op)
	if err != nil {
		return nil, err
	}
	switch len(items) {
	case 0:
		return nil, wrapErr(op, r.table(), ErrNotFound)
	case 1:
		return &items[0], nil
	}
	return nil, errorf(op, r.table(), ErrNotUnique, "conditions match more than one row")
}

// First returns the first entity matching conds in primary-key order;
// ErrNotFound when none does. Use Query().OrderBy(…).First for another
// order.
func (r *Repository[T]) First(ctx context.Context, conds ...sqlb.Sqlizer) (*T, error) {
	if err := r.usable("First"); err != nil {
		return nil, err
	}
	return r.Query().Where(conds...).First(ctx)
}

// Last returns the last entity matching conds in primary-key order.
func (r *Repository[T]) Last(ctx context.Context, conds ...sqlb.Sqlizer) (*T, error) {
	if err := r.usable("Last"); err != nil {
		return nil, err
	}
	return r.Query().Where(conds...).Last(ctx)
}

// Count returns the number of rows matching conds (soft-delete scoped).
func (r *Repository[T]) Count(ctx context.Context, conds ...sqlb.Sqlizer) (int64, error) {
	if err := r.usable("Count"); err != nil {
		return 0, err
	}
	return r.Query().Where(conds...).Count(ctx)
}

// Exists reports whether a row matches conds (soft-delete scoped).
func (r *Repository[T]) Exists(ctx context.Context, conds ...sqlb.Sqlizer) (bool, error) {
	if err := r.usable("Exists"); err != nil {
		return false, err
	}
	return r.Query().Where(conds...).Exists(ctx)
}

// Select runs any sqlb SELECT and scans its rows into T, matching result
// columns to fields by name (a column no field maps is an error). No
// soft-delete scope is added: the builder is run as given.
func (r *Repository[T]) Select(ctx context.Context, b sqlb.SelectBuilder) ([]T, error) {
	if err := r.usable("Select"); err != nil {
		return nil, err
	}
	sql, args, err := b.ToSQL()
	if err != nil {
		return nil, wrapErr("Select", r.table(), err)
	}
	return r.Raw(ctx, sql, args...)
}

// Raw runs trusted SQL text with parameters and scans its rows into T,
// matching result columns to fields by name. Never build sql from user
// input; pass values as args.
func (r *Repository[T]) Raw(ctx context.Context, sql string, args ...any) ([]T, error) {
	if err := r.usable("Raw"); err != nil {
		return nil, err
	}
	const op = "Raw"
	rows, err := r.q.Query(ctx, sql, args...)
	if err != nil {
		return nil, wrapErr(op, r.table(), err)
	}
	items, err := scanByName[T](r.mt.m, r.mt.inline, rows, 0)
	if err != nil {
		return nil, wrapErr(op, r.table(), err)
	}
	if err := r.afterFindAll(ctx, items); err != nil {
		return nil, wrapErr(op, r.table(), err)
	}
	return items, nil
}

// queryRows runs sql (selecting the model's columns in order) into []T.
func (r *Repository[T]) queryRows(ctx context.Context, op, sql string, args []any) ([]T, error) {
	rows, err := r.q.Query(ctx, sql, args...)
	if err != nil {
		return nil, wrapErr(op, r.table(), err)
	}
	items, err := scanAll[T](r.mt, rows)
	if err != nil {
		return nil, wrapErr(op, r.table(), err)
	}
	if err := r.afterFindAll(ctx, items); err != nil {
		return nil, wrapErr(op, r.table(), err)
	}
	return items, nil
}

// isNotFound reports whether err is ErrNotFound.
func isNotFound(err error) bool { return errors.Is(err, pgx.ErrNoRows) }
