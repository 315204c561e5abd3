package repo

import (
	"context"
)

// missing explains a write by key that touched no row: ErrStale when the
// model is versioned and the (live) row exists — so its version differs —
// and ErrNotFound otherwise. The check runs on q, inside the same
// transaction as the write when there is one.
func (r *Repository[T]) missing(ctx context.Context, q Querier, op string, key []any) error {
	if r.mt.m.Version == nil {
		return wrapErr(op, r.table(), ErrNotFound)
	}
	var exists bool
	if err := q.QueryRow(ctx, r.mt.exists[r.trash].SQL(), key...).Scan(&exists); err != nil {
		return wrapErr(op+": version check", r.table(), err)
	}
	if exists {
		return errorf(op, r.table(), ErrStale, "the row was changed since it was read")
	}
	return wrapErr(op, r.table(), ErrNotFound)
}
