package repo

import (
	"context"

	"github.com/normkit/norm/sqlb"
)

// missing explains a write by key that touched no row: ErrStale when the
// model is versioned and the (live) row exists — so its version differs —
// and ErrNotFound otherwise. The check runs on q, inside the same
// transaction as the write when there is one.
func (r *Repository[T]) missing(ctx context.Context, q Querier, op string, key []any) error {
	if r.mt.m.Version == nil {
		return wrapErr(op, r.table(), ErrNotFound)
	}
	sub := sqlb.Select().ColumnRaw("1").From(r.mt.table).Where(r.mt.pkConds(key)...)
	if c := r.mt.scope(r.trash, scopeColumn); c != nil {
		sub = sub.Where(c)
	}
	sql, args, err := sqlb.Select().ColumnRaw("EXISTS (?)", sub).ToSQL()
	if err != nil {
		return wrapErr(op, r.table(), err)
	}
	var exists bool
	if err := q.QueryRow(ctx, sql, args...).Scan(&exists); err != nil {
		return wrapErr(op+": version check", r.table(), err)
	}
	if exists {
		return errorf(op, r.table(), ErrStale, "the row was changed since it was read")
	}
	return wrapErr(op, r.table(), ErrNotFound)
}
