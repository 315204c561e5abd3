package repo

import (
	"context"
	"fmt"
	"reflect"
	"sync"

	"github.com/normkit/norm/sqlb"
)

// Preload loads the named relations of items in batches: one query per
// relation and level, whatever the number of items, with the keys bound as
// one array parameter (= ANY($1)). Paths name fields, nested with dots:
// Preload(ctx, authors, "Posts", "Posts.Comments") loads every author's
// posts in one query and every comment of those posts in a second. The
// related model's soft-delete scope applies. Items with no related row get
// a nil pointer or an empty (non-nil) slice. An empty items or paths runs
// no query. Preload is the batch form that strict loading (see
// WithStrictLoading) steers to, so it is never counted as a lazy load. For
// a []*T use PreloadPtrs; for one *T, Load.
func (r *Repository[T]) Preload(ctx context.Context, items []T, paths ...string) error {
	if err := r.usable("Preload"); err != nil {
		return err
	}
	const op = "Preload"
	if len(items) == 0 || len(paths) == 0 {
		return nil
	}
	owners := make([]reflect.Value, len(items))
	for i := range items {
		owners[i] = reflect.ValueOf(&items[i]).Elem()
	}
	return r.preloadOwners(ctx, op, owners, paths)
}

// PreloadPtrs is Preload for a slice of pointers, as returned by code that
// keeps *T (FindByID results collected in a slice, a cache, a service
// layer): the relations are loaded into the structs the pointers point
// at, with the same one query per relation and level, the same soft-delete
// scope and the same results as Preload over the equivalent []T. It is a
// method of its own because Go methods cannot take type parameters: a
// single Preload for both shapes would have to accept any and check the
// slice type at run time instead of at compile time.
//
// A nil pointer in items is an error (ErrInvalid) naming its index, and no
// query is sent. The same pointer may appear more than once. An empty
// items or paths runs no query. Like Preload it is not counted by strict
// loading.
func (r *Repository[T]) PreloadPtrs(ctx context.Context, items []*T, paths ...string) error {
	if err := r.usable("PreloadPtrs"); err != nil {
		return err
	}
	const op = "PreloadPtrs"
	if len(items) == 0 {
		return nil
	}
	owners := make([]reflect.Value, len(items))
	for i, p := range items {
		if p == nil {
			return errorf(op, r.table(), ErrInvalid, "items[%d] is nil", i)
		}
		owners[i] = reflect.ValueOf(p).Elem()
	}
	if len(paths) == 0 {
		return nil
	}
	return r.preloadOwners(ctx, op, owners, paths)
}

// preloadOwners loads paths into owners, addressable values of T.
func (r *Repository[T]) preloadOwners(ctx context.Context, op string, owners []reflect.Value, paths []string) error {
	tree, err := splitPaths(paths)
	if err != nil {
		return errorf(op, r.table(), ErrInvalid, "%v", err)
	}
	if err := r.preload(ctx, r.mt.m, owners, tree, r.cfg.relations); err != nil {
		return wrapErr(op, r.table(), err)
	}
	return nil
}

// Load lazily loads the named relations of one item (same paths as
// Preload). With WithStrictLoading, a second Load of the same relation in a
// context prepared by TrackLoads fails with ErrNPlusOne: a loop of Loads
// is an N+1 pattern, Preload (or PreloadPtrs) the whole slice instead.
// Load is the way to load relations into a single *T.
func (r *Repository[T]) Load(ctx context.Context, item *T, paths ...string) error {
	if err := r.usable("Load"); err != nil {
		return err
	}
	const op = "Load"
	if item == nil {
		return errorf(op, r.table(), ErrInvalid, "nil entity")
	}
	if r.cfg.strict {
		if tr, ok := ctx.Value(loadTrackerKey{}).(*loadTracker); ok {
			for _, p := range paths {
				if n := tr.add(r.table() + "." + p); n > r.cfg.strictMax {
					return errorf(op, r.table(), ErrNPlusOne, "relation %q loaded %d times in one context; use Preload", p, n)
				}
			}
		}
	}
	return r.preloadOwners(ctx, op, []reflect.Value{reflect.ValueOf(item).Elem()}, paths)
}

// WithStrictLoading turns on N+1 detection for Load: in a context made by
// TrackLoads, loading the same relation lazily more than once is an error.
// Preload and PreloadPtrs, the batch forms, are never counted.
func WithStrictLoading() Option {
	return func(c *config) { c.strict = true }
}

type loadTrackerKey struct{}

type loadTracker struct {
	mu sync.Mutex
	n  map[string]int
}

func (t *loadTracker) add(k string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.n[k]++
	return t.n[k]
}

// TrackLoads returns ctx carrying a counter of lazy loads, the unit of N+1
// detection (typically one per request).
func TrackLoads(ctx context.Context) context.Context {
	return context.WithValue(ctx, loadTrackerKey{}, &loadTracker{n: map[string]int{}})
}

func (r *Repository[T]) preload(ctx context.Context, owner *sqlb.Model, owners []reflect.Value, tree pathTree, extra []Relation) error {
	for name, sub := range tree {
		rel, err := relationOf(owner, name, extra)
		if err != nil {
			return err
		}
		rows, err := r.loadRelated(ctx, rel, owners)
		if err != nil {
			return fmt.Errorf("relation %s: %w", name, err)
		}
		if len(sub) > 0 && len(rows.items) > 0 {
			if err := r.preload(ctx, rel.target, rows.items, sub, nil); err != nil {
				return err
			}
		}
		assign(rel, owners, rows)
	}
	return nil
}

// related holds the rows of one relation level, grouped by the key that
// links them to their owners.
type related struct {
	items []reflect.Value         // addressable related structs
	byKey map[any][]reflect.Value // owner-side key -> rows
}

// loadRelated runs the one query of a relation level.
func (r *Repository[T]) loadRelated(ctx context.Context, rel *relation, owners []reflect.Value) (related, error) {
	keys, n := keySlice(rel.ownerKey, owners)
	out := related{byKey: map[any][]reflect.Value{}}
	if n == 0 {
		return out, nil
	}
	tgt := rel.target
	table := tgt.QuotedTable()
	cols := make([]string, len(tgt.Fields))
	for i, f := range tgt.Fields {
		cols[i] = table + "." + f.Quoted()
	}
	b := sqlb.Select(cols...).From(table)
	linkCol := table + "." + rel.tgtKey.Quoted()
	if rel.kind == ManyToMany {
		b = b.Column(rel.join+"."+rel.joinFK).
			Join(rel.join, sqlb.On(rel.join+"."+rel.joinRef, linkCol))
		linkCol = rel.join + "." + rel.joinFK
	}
	b = b.Where(sqlb.In(linkCol, keys))
	if sd := tgt.SoftDelete; sd != nil {
		b = b.Where(sqlb.IsNull(table + "." + sd.Quoted()))
	}
	for _, f := range tgt.PK {
		b = b.OrderBy(sqlb.Asc(table + "." + f.Quoted()))
	}
	sql, args, err := b.ToSQL()
	if err != nil {
		return out, err
	}
	rows, err := r.q.Query(ctx, sql, args...)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	dest := make([]any, 0, len(tgt.Fields)+1)
	for rows.Next() {
		v := reflect.New(rel.elemType).Elem()
		dest = destAll(tgt, v, dest)
		link := reflect.New(rel.ownerKey.GoType)
		if rel.kind == ManyToMany {
			dest = append(dest, link.Interface())
		}
		if err := rows.Scan(dest...); err != nil {
			return out, err
		}
		k := normKey(fieldValue(v, rel.tgtKey))
		if rel.kind == ManyToMany {
			k = normKey(link.Elem())
		}
		out.items = append(out.items, v)
		out.byKey[k] = append(out.byKey[k], v)
	}
	return out, rows.Err()
}

// keySlice collects the distinct non-nil values of field f of owners into
// a typed slice (bound as one array parameter) and returns it with its
// length.
func keySlice(f *sqlb.Field, owners []reflect.Value) (any, int) {
	base := f.GoType
	if base.Kind() == reflect.Pointer {
		base = base.Elem()
	}
	seen := map[any]bool{}
	s := reflect.MakeSlice(reflect.SliceOf(base), 0, len(owners))
	for _, o := range owners {
		v := fieldValue(o, f)
		if v.Kind() == reflect.Pointer {
			if v.IsNil() {
				continue
			}
			v = v.Elem()
		}
		k := normKey(v)
		if seen[k] {
			continue
		}
		seen[k] = true
		s = reflect.Append(s, v)
	}
	return s.Interface(), s.Len()
}

func fieldValue(v reflect.Value, f *sqlb.Field) reflect.Value {
	return v.FieldByIndex(f.Index)
}

// normKey makes keys of different integer types (or behind pointers)
// compare equal as map keys.
func normKey(v reflect.Value) any {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return int64(v.Uint()) //nolint:gosec // keys beyond int64 are compared as their bit pattern
	}
	return v.Interface()
}

// assign sets each owner's relation field from rows.
func assign(rel *relation, owners []reflect.Value, rows related) {
	for _, o := range owners {
		matched := rows.byKey[normKey(fieldValue(o, rel.ownerKey))]
		field := o.FieldByIndex(rel.index)
		if !rel.many {
			field.SetZero()
			if len(matched) == 0 {
				continue
			}
			if rel.ptr {
				p := reflect.New(rel.elemType)
				p.Elem().Set(matched[0])
				field.Set(p)
			} else {
				field.Set(matched[0])
			}
			continue
		}
		s := reflect.MakeSlice(field.Type(), 0, len(matched))
		for _, m := range matched {
			if rel.ptr {
				p := reflect.New(rel.elemType)
				p.Elem().Set(m)
				s = reflect.Append(s, p)
			} else {
				s = reflect.Append(s, m)
			}
		}
		field.Set(s)
	}
}
