package repo

import (
	"context"
	"reflect"
)

// Hooks are optional methods on *T. A Before hook's error aborts the
// write with nothing written; an After hook's error rolls the write back.
// When T has a hook for an operation, the operation runs in a transaction
// (begun through the Querier, a savepoint inside an existing one), so the
// hooks and the write commit or roll back together. Order: Before hook,
// statement, After hook, commit, then cache invalidation and audit. A
// write by key that changes no row (missing, stale, or soft-deleted and
// outside the view) has run its Before hook, since that precedes the
// statement, but runs no After hook: the transaction rolls back and
// nothing is invalidated or audited.

// BeforeCreator runs before Create and each row of CreateBatch.
type BeforeCreator interface {
	BeforeCreate(ctx context.Context) error
}

// AfterCreator runs after Create (and each row of CreateBatch) with the
// generated values filled in.
type AfterCreator interface {
	AfterCreate(ctx context.Context) error
}

// BeforeUpdater runs before Update and UpdateFields (on the entity given
// to Update; UpdateFields has no entity before the statement and runs
// only AfterUpdate).
type BeforeUpdater interface {
	BeforeUpdate(ctx context.Context) error
}

// AfterUpdater runs after Update and UpdateFields with the stored values.
type AfterUpdater interface {
	AfterUpdate(ctx context.Context) error
}

// BeforeDeleter runs before Delete (soft or hard) and HardDelete with the
// entity being deleted.
type BeforeDeleter interface {
	BeforeDelete(ctx context.Context) error
}

// AfterDeleter runs after Delete and HardDelete.
type AfterDeleter interface {
	AfterDelete(ctx context.Context) error
}

// AfterFinder runs on every entity a read returns.
type AfterFinder interface {
	AfterFind(ctx context.Context) error
}

// hookSet records which hooks *T implements, checked once per type.
type hookSet struct {
	beforeCreate, afterCreate bool
	beforeUpdate, afterUpdate bool
	beforeDelete, afterDelete bool
	afterFind                 bool
}

func hooksOf(t reflect.Type) hookSet {
	pt := reflect.PointerTo(t)
	has := func(i any) bool { return pt.Implements(reflect.TypeOf(i).Elem()) }
	return hookSet{
		beforeCreate: has((*BeforeCreator)(nil)), afterCreate: has((*AfterCreator)(nil)),
		beforeUpdate: has((*BeforeUpdater)(nil)), afterUpdate: has((*AfterUpdater)(nil)),
		beforeDelete: has((*BeforeDeleter)(nil)), afterDelete: has((*AfterDeleter)(nil)),
		afterFind: has((*AfterFinder)(nil)),
	}
}

func (h hookSet) create() bool { return h.beforeCreate || h.afterCreate }
func (h hookSet) update() bool { return h.beforeUpdate || h.afterUpdate }
func (h hookSet) delete() bool { return h.beforeDelete || h.afterDelete }

func (r *Repository[T]) afterFind(ctx context.Context, v *T) error {
	if !r.mt.hooks.afterFind {
		return nil
	}
	return any(v).(AfterFinder).AfterFind(ctx)
}

func (r *Repository[T]) afterFindAll(ctx context.Context, items []T) error {
	if !r.mt.hooks.afterFind {
		return nil
	}
	for i := range items {
		if err := any(&items[i]).(AfterFinder).AfterFind(ctx); err != nil {
			return err
		}
	}
	return nil
}

// hook kinds, for callHook.
const (
	hookBeforeCreate = iota
	hookAfterCreate
	hookBeforeUpdate
	hookAfterUpdate
	hookBeforeDelete
	hookAfterDelete
)

// callHook runs hook kind on v when *T implements it.
func callHook[T any](ctx context.Context, v *T, kind int) error {
	switch kind {
	case hookBeforeCreate:
		if h, ok := any(v).(BeforeCreator); ok {
			return h.BeforeCreate(ctx)
		}
	case hookAfterCreate:
		if h, ok := any(v).(AfterCreator); ok {
			return h.AfterCreate(ctx)
		}
	case hookBeforeUpdate:
		if h, ok := any(v).(BeforeUpdater); ok {
			return h.BeforeUpdate(ctx)
		}
	case hookAfterUpdate:
		if h, ok := any(v).(AfterUpdater); ok {
			return h.AfterUpdate(ctx)
		}
	case hookBeforeDelete:
		if h, ok := any(v).(BeforeDeleter); ok {
			return h.BeforeDelete(ctx)
		}
	case hookAfterDelete:
		if h, ok := any(v).(AfterDeleter); ok {
			return h.AfterDelete(ctx)
		}
	}
	return nil
}
