package repo

import (
	"context"
	"time"

	"github.com/normkit/norm/sqlb"
)

// Restore clears the soft-delete column of v's row (and of v), making it
// live again; ErrNotFound when no soft-deleted row has v's key. Restore
// runs no hooks.
func (r *Repository[T]) Restore(ctx context.Context, v *T) error {
	if err := r.usable("Restore"); err != nil {
		return err
	}
	if r.wrapNotify(ctx) {
		return r.notifying(ctx, "Restore", func(w *Repository[T]) error { return w.Restore(ctx, v) })
	}
	if r.mt.m.SoftDelete == nil {
		return errorf("Restore", r.table(), ErrInvalid, "%s has no soft-delete column", r.mt.m.Name)
	}
	return r.softWrite(ctx, "Restore", "restore", v, false)
}

// softWrite sets (trash) or clears the soft-delete column of v's row.
func (r *Repository[T]) softWrite(ctx context.Context, op, auditOp string, v *T, trash bool) error {
	rv, key, err := r.keyed(op, v)
	if err != nil {
		return err
	}
	st := r.mt.restore
	var mark any // restore sets the column to NULL
	if trash {
		st, mark = r.mt.trash, r.cfg.now()
	}
	ret := st.Returning()
	args := bind(st, rv)
	for i, f := range st.Params() {
		if f == r.mt.m.SoftDelete {
			args[i] = mark
		}
	}
	before := *v
	run := func(ctx context.Context, q Querier) error {
		if trash {
			if err := callHook(ctx, v, hookBeforeDelete); err != nil {
				return wrapErr(op+": BeforeDelete", r.table(), err)
			}
		}
		var buf [2]any
		if err := q.QueryRow(ctx, st.SQL(), args...).Scan(destFields(ret, rv, buf[:0])...); err != nil {
			if isNotFound(err) {
				return r.missingSoft(ctx, q, op, key, trash)
			}
			return wrapErr(op, r.table(), err)
		}
		if trash {
			if err := callHook(ctx, v, hookAfterDelete); err != nil {
				return wrapErr(op+": AfterDelete", r.table(), err)
			}
		}
		return nil
	}
	if err := r.write(ctx, op, trash && r.mt.hooks.delete(), run); err != nil {
		*v = before
		return err
	}
	r.invalidate(ctx, key)
	r.audit(ctx, auditOp, key, true, &before, v)
	return nil
}

// missingSoft is missing() for soft delete/restore: a row in the wrong
// state (already trashed, or live for Restore) is not found; a row in the
// right state but another version is stale.
func (r *Repository[T]) missingSoft(ctx context.Context, q Querier, op string, key []any, trash bool) error {
	if trash {
		return r.view(liveOnly).missing(ctx, q, op, key)
	}
	return r.view(onlyTrashed).missing(ctx, q, op, key)
}

// PurgeTrashed hard-deletes rows soft-deleted more than olderThan ago
// (by the repository's clock) and returns how many.
func (r *Repository[T]) PurgeTrashed(ctx context.Context, olderThan time.Duration) (int64, error) {
	if err := r.usable("PurgeTrashed"); err != nil {
		return 0, err
	}
	const op = "PurgeTrashed"
	sd := r.mt.m.SoftDelete
	if sd == nil {
		return 0, errorf(op, r.table(), ErrInvalid, "%s has no soft-delete column", r.mt.m.Name)
	}
	sql, args, err := sqlb.Delete(r.mt.table).Where(sqlb.Lt(sd.Quoted(), r.cfg.now().Add(-olderThan))).ToSQL()
	if err != nil {
		return 0, wrapErr(op, r.table(), err)
	}
	tag, err := r.q.Exec(ctx, sql, args...)
	if err != nil {
		return 0, wrapErr(op, r.table(), err)
	}
	return tag.RowsAffected(), nil
}
