package repo

import (
	"context"
	"reflect"
	"testing"
)

type fuzzTarget struct {
	ID      int64 `db:"id" norm:"pk"`
	OwnerID int64 `db:"owner_id"`
}

// FuzzRelationTag feeds arbitrary norm tags to a relation field: resolving
// and preloading must return an error or work, never panic.
func FuzzRelationTag(f *testing.F) {
	for _, seed := range []string{
		"rel:has_many,fk:owner_id",
		"rel:belongs_to,fk:owner_id",
		"rel:many_to_many,join:j,fk:a,ref_fk:b",
		"rel:has_one,fk:owner_id,ref:id",
		"rel:bogus", "rel:has_many", "rel:has_many,fk:", "rel:has_many,fk:owner_id,zz:1",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, tag string) {
		typ := reflect.StructOf([]reflect.StructField{
			{Name: "ID", Type: reflect.TypeOf(int64(0)), Tag: `db:"id" norm:"pk"`},
			{Name: "Rel", Type: reflect.TypeOf([]fuzzTarget(nil)), Tag: reflect.StructTag(`norm:"` + tag + `"`)},
		})
		mt, err := metaFor(typ)
		if err != nil {
			return // sqlb refused the tag: fine
		}
		if _, err := relationOf(mt.m, "Rel", nil); err != nil {
			return
		}
		// A resolved relation can be loaded against a fake without panicking.
		r := &Repository[fuzzTarget]{q: &fakeDB{}, mt: mt, cfg: &config{}}
		owners := []reflect.Value{reflect.New(typ).Elem()}
		tree, _ := splitPaths([]string{"Rel"})
		_ = r.preload(context.Background(), mt.m, owners, tree, nil)
	})
}
