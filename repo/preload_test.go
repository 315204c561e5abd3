package repo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

type plAuthor struct {
	ID    int64     `db:"id" norm:"pk"`
	Posts []plPost  `norm:"rel:has_many,fk:author_id"`
	Best  *plPost   `norm:"rel:has_one,fk:author_id"`
	Tags  []*plPost `norm:"rel:many_to_many,join:author_posts,fk:author_id,ref_fk:post_id"`
}

type plPost struct {
	ID       int64 `db:"id" norm:"pk"`
	AuthorID int64 `db:"author_id"`
}

// TestPreloadPtrsMatchesPreload: over the same keys, PreloadPtrs sends the
// very statements (and arguments) Preload sends, one per relation, and
// fills the structs the pointers point at.
func TestPreloadPtrsMatchesPreload(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	paths := []string{"Posts", "Best", "Tags"}

	vdb := &fakeDB{}
	rv, err := New[plAuthor](vdb)
	if err != nil {
		t.Fatal(err)
	}
	vals := []plAuthor{{ID: 1}, {ID: 2}, {ID: 1}}
	if err := rv.Preload(ctx, vals, paths...); err != nil {
		t.Fatal(err)
	}

	pdb := &fakeDB{}
	rp, err := New[plAuthor](pdb)
	if err != nil {
		t.Fatal(err)
	}
	a, b := &plAuthor{ID: 1}, &plAuthor{ID: 2}
	ptrs := []*plAuthor{a, b, a} // the same pointer twice is fine
	if err := rp.PreloadPtrs(ctx, ptrs, paths...); err != nil {
		t.Fatal(err)
	}

	if got := pdb.sqls(); len(got) != len(paths) {
		t.Fatalf("want one query per relation, got %q", got)
	}
	// Relations are visited in map order: compare as sets, with arguments.
	type stmt struct {
		sql  string
		args string
	}
	collect := func(db *fakeDB) []stmt {
		out := make([]stmt, len(db.log))
		for i := range db.log {
			out[i] = stmt{db.log[i], fmt.Sprintf("%#v", db.args[i])}
		}
		slices.SortFunc(out, func(x, y stmt) int { return strings.Compare(x.sql, y.sql) })
		return out
	}
	if w, g := collect(vdb), collect(pdb); !slices.Equal(w, g) {
		t.Fatalf("PreloadPtrs statements differ from Preload:\n got %v\nwant %v", g, w)
	}
	for i, p := range ptrs {
		if p.Posts == nil || len(p.Posts) != 0 || p.Tags == nil || p.Best != nil {
			t.Fatalf("items[%d] not filled through its pointer: %+v", i, p)
		}
	}
}

// TestPreloadPtrsRefusesNilAndSkipsEmpty: a nil pointer is ErrInvalid
// naming its index, with nothing sent (also when no path is given); empty
// or nil slices send nothing.
func TestPreloadPtrsRefusesNilAndSkipsEmpty(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := &fakeDB{}
	r, err := New[plAuthor](db)
	if err != nil {
		t.Fatal(err)
	}
	for _, paths := range [][]string{{"Posts"}, nil} {
		err := r.PreloadPtrs(ctx, []*plAuthor{{ID: 1}, {ID: 2}, nil, {ID: 3}}, paths...)
		if !errors.Is(err, ErrInvalid) || !contains(err.Error(), "items[2] is nil") {
			t.Fatalf("paths %q: want ErrInvalid naming items[2], got %v", paths, err)
		}
	}
	if err := r.PreloadPtrs(ctx, nil, "Posts"); err != nil {
		t.Fatal(err)
	}
	if err := r.PreloadPtrs(ctx, []*plAuthor{}, "Posts"); err != nil {
		t.Fatal(err)
	}
	if err := r.Preload(ctx, []plAuthor{}, "Posts"); err != nil {
		t.Fatal(err)
	}
	if err := r.PreloadPtrs(ctx, []*plAuthor{{ID: 1}}); err != nil {
		t.Fatal(err)
	}
	if got := db.sqls(); len(got) != 0 {
		t.Fatalf("queries sent: %q", got)
	}
	if err := r.PreloadPtrs(ctx, []*plAuthor{{ID: 1}}, "Nope"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("unknown relation: %v", err)
	}
}

// TestStrictLoadingCountsLoadOnly: in a tracked context, repeated batch
// preloads (values or pointers) are fine; the second lazy Load of the same
// relation is ErrNPlusOne.
func TestStrictLoadingCountsLoadOnly(t *testing.T) {
	t.Parallel()
	ctx := TrackLoads(context.Background())
	r, err := New[plAuthor](&fakeDB{}, WithStrictLoading())
	if err != nil {
		t.Fatal(err)
	}
	ptrs := []*plAuthor{{ID: 1}, {ID: 2}}
	for range 3 {
		if err := r.PreloadPtrs(ctx, ptrs, "Posts"); err != nil {
			t.Fatal(err)
		}
		if err := r.Preload(ctx, []plAuthor{{ID: 1}}, "Posts"); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Load(ctx, ptrs[0], "Posts"); err != nil {
		t.Fatal(err)
	}
	if err := r.Load(ctx, ptrs[1], "Posts"); !errors.Is(err, ErrNPlusOne) {
		t.Fatalf("second Load: want ErrNPlusOne, got %v", err)
	}
}
