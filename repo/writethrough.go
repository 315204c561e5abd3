package repo

import (
	"context"
	"reflect"
)

// WithWriteThrough makes writes that read the whole committed row back
// (UpdateFields, Upsert: their RETURNING lists every column, so the row is
// exactly what the database holds) put that row into the cache after the
// outermost commit, instead of only deleting the key, so the next
// FindByID is a hit. Other writes invalidate as before (Create and Update
// return only the columns the database fills, and the rest of v may not
// be what was stored: a timestamp rounded to microseconds, a trigger).
//
// The row goes in only after the commit, never before: inside a pool.DB
// transaction through AfterCommit, for a write wrapped by WithNotify after
// its own commit, and not at all (the key is deleted instead) on a
// repository bound to a pgx.Tx, which cannot tell its commit. It never
// goes in when any invalidation (a later write of this process, a
// notification from another) happened between the write's statement and
// its commit callback: the row may be superseded then, so the key is only
// deleted. Nor for a soft-deleted row, or a model with an AfterFind hook
// (FindByID caches rows after the hook ran). With repo/rediscache, fills
// are SET NX behind the delete's tombstone, so write-through degrades to
// invalidation there.
func WithWriteThrough() Option {
	return func(cfg *config) { cfg.writeThrough = true }
}

// invalidateRow is invalidate for a write that returned the whole row:
// with write-through, the row is cached after the commit.
func (r *Repository[T]) invalidateRow(ctx context.Context, key []any, row *T) {
	if !r.cfg.writeThrough || r.cfg.cache == nil || !r.cachable(row) {
		r.invalidate(ctx, key)
		return
	}
	cks := []string{r.cacheKey(key)}
	if r.cfg.extraKeys != nil {
		cks = append(cks, r.cfg.extraKeys(Key(key))...)
	}
	r.publish(ctx, cks)
	g := r.cfg.gen
	gen := g.current()
	val := *row
	put := func(fill bool) func() {
		return func() {
			g.mu.Lock()
			defer g.mu.Unlock()
			fill = fill && g.n == gen
			g.n++
			r.cfg.cache.Delete(context.WithoutCancel(ctx), cks...)
			if fill {
				r.cfg.cache.Set(context.WithoutCancel(ctx), cks[0], val, r.cfg.cacheTTL)
			}
		}
	}
	switch {
	case r.pend != nil:
		r.pend.add(put(true))
	case r.deferredCommit(ctx, put(true)):
	case r.boundTx:
		put(false)() // not committed yet: delete only
	default:
		put(true)() // a statement outside a transaction has committed
	}
}

// deferredCommit registers fn to run after the outermost commit of the
// transaction ctx carries, when the Querier can tell (AfterCommit).
func (r *Repository[T]) deferredCommit(ctx context.Context, fn func()) bool {
	return r.can.commit != nil && r.can.commit.AfterCommit(ctx, fn)
}

// cachable reports whether FindByID could have cached row: it is live
// and no AfterFind hook would have changed it.
func (r *Repository[T]) cachable(row *T) bool {
	if r.mt.hooks.afterFind || r.trash == onlyTrashed {
		return false
	}
	if sd := r.mt.m.SoftDelete; sd != nil {
		v := sd.Value(reflect.ValueOf(row).Elem())
		if v != nil && !reflect.ValueOf(v).IsZero() {
			return false
		}
	}
	return true
}

// observeRow is observe for a write that returned the whole row into v.
func (r *Repository[T]) observeRow(ctx context.Context, op string, v *T) {
	if !r.cfg.invalidates() && r.cfg.auditor == nil {
		return
	}
	key := r.mt.keyOf(reflect.ValueOf(v).Elem())
	r.invalidateRow(ctx, key, v)
	r.audit(ctx, op, key, false, nil, v)
}
