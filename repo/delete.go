package repo

import (
	"context"
	"reflect"
)

// Delete deletes v by primary key: for a model with a soft-delete column
// it sets that column to the repository's clock (and v's field with it),
// for others it deletes the row. A versioned model is deleted only at v's
// version (ErrStale otherwise; a soft delete bumps the version).
// ErrNotFound when no live row has the key: deleting a soft-deleted row
// again is ErrNotFound (never ErrStale) and leaves it exactly as it is,
// whatever the view (WithTrashed does not widen a state change; use
// HardDelete to remove trash for real). BeforeDelete/AfterDelete hooks get
// v and run in the same transaction; when no row is deleted AfterDelete
// does not run, nothing is invalidated or audited, and v is left as given.
func (r *Repository[T]) Delete(ctx context.Context, v *T) error {
	if err := r.usable("Delete"); err != nil {
		return err
	}
	if r.wrapNotify(ctx) {
		return r.notifying(ctx, "Delete", func(w *Repository[T]) error { return w.Delete(ctx, v) })
	}
	if r.mt.m.SoftDelete == nil {
		return r.hardDelete(ctx, "Delete", v)
	}
	return r.softWrite(ctx, "Delete", "soft_delete", v, true)
}

// HardDelete deletes v's row for real, soft-delete column or not, with the
// version check of a versioned model. It deliberately ignores the
// soft-delete scope and the view: it deletes a live or a soft-deleted row
// alike (that is how one piece of trash is removed), so ErrNotFound means
// no row has the key at all, and ErrStale that one has another version.
func (r *Repository[T]) HardDelete(ctx context.Context, v *T) error {
	if err := r.usable("HardDelete"); err != nil {
		return err
	}
	if r.wrapNotify(ctx) {
		return r.notifying(ctx, "HardDelete", func(w *Repository[T]) error { return w.HardDelete(ctx, v) })
	}
	return r.hardDelete(ctx, "HardDelete", v)
}

func (r *Repository[T]) hardDelete(ctx context.Context, op string, v *T) error {
	rv, key, err := r.keyed(op, v)
	if err != nil {
		return err
	}
	args := bind(r.mt.del, rv)
	run := func(ctx context.Context, q Querier) error {
		if err := callHook(ctx, v, hookBeforeDelete); err != nil {
			return wrapErr(op+": BeforeDelete", r.table(), err)
		}
		tag, err := q.Exec(ctx, r.mt.del.SQL(), args...)
		if err != nil {
			return wrapErr(op, r.table(), err)
		}
		if tag.RowsAffected() == 0 {
			// The DELETE has no soft-delete scope, so neither has the check.
			return r.view(withTrashed).missing(ctx, q, op, key)
		}
		if err := callHook(ctx, v, hookAfterDelete); err != nil {
			return wrapErr(op+": AfterDelete", r.table(), err)
		}
		return nil
	}
	if err := r.write(ctx, op, r.mt.hooks.delete(), run); err != nil {
		return err
	}
	r.invalidate(ctx, key)
	r.audit(ctx, "delete", key, false, v, nil)
	return nil
}

// keyed checks v for a write by primary key and returns its value and
// key.
func (r *Repository[T]) keyed(op string, v *T) (reflect.Value, []any, error) {
	if v == nil {
		return reflect.Value{}, nil, errorf(op, r.table(), ErrInvalid, "nil entity")
	}
	if len(r.mt.m.PK) == 0 {
		return reflect.Value{}, nil, errorf(op, r.table(), ErrInvalid, "%s has no primary key", r.mt.m.Name)
	}
	rv := reflect.ValueOf(v).Elem()
	return rv, r.mt.keyOf(rv), nil
}
