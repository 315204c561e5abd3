package repo

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/normkit/norm/sqlb"
)

// misuseCalls calls every exported method of Repository[gUser] (and of
// the Query it starts) on r and returns each one's error; methods without
// an error result are called and the calls chained on their result are
// checked instead.
func misuseCalls(r *Repository[gUser]) map[string]func() error {
	ctx := context.Background()
	u := &gUser{ID: 1}
	codec, _ := sqlb.NewCursorCodec([]byte("0123456789abcdef0123456789abcdef"))
	ignore2 := func(_ any, err error) error { return err }
	return map[string]func() error{
		"CacheKey":     func() error { return ignore2(r.CacheKey(int64(1))) },
		"CopyFrom":     func() error { return ignore2(r.CopyFrom(ctx, []gUser{*u})) },
		"Count":        func() error { return ignore2(r.Count(ctx)) },
		"Create":       func() error { return r.Create(ctx, u) },
		"CreateBatch":  func() error { return r.CreateBatch(ctx, []gUser{*u}) },
		"Delete":       func() error { return r.Delete(ctx, u) },
		"DeleteWhere":  func() error { return ignore2(r.DeleteWhere(ctx, sqlb.Eq("id", 1))) },
		"Exists":       func() error { return ignore2(r.Exists(ctx)) },
		"Find":         func() error { return ignore2(r.Find(ctx)) },
		"FindByID":     func() error { return ignore2(r.FindByID(ctx, int64(1))) },
		"FindCursor":   func() error { return ignore2(r.FindCursor(ctx, codec, "", 10)) },
		"FindOne":      func() error { return ignore2(r.FindOne(ctx, sqlb.Eq("id", 1))) },
		"FindPage":     func() error { return ignore2(r.FindPage(ctx, 1, 10)) },
		"First":        func() error { return ignore2(r.First(ctx)) },
		"HardDelete":   func() error { return r.HardDelete(ctx, u) },
		"Last":         func() error { return ignore2(r.Last(ctx)) },
		"Load":         func() error { return r.Load(ctx, u, "posts") },
		"Model":        func() error { _ = r.Model(); return r.Create(ctx, u) },
		"OnlyTrashed":  func() error { return ignore2(r.OnlyTrashed().Find(ctx)) },
		"Preload":      func() error { return r.Preload(ctx, []gUser{*u}, "posts") },
		"PreloadPtrs":  func() error { return r.PreloadPtrs(ctx, []*gUser{u}, "posts") },
		"PurgeTrashed": func() error { return ignore2(r.PurgeTrashed(ctx, time.Hour)) },
		"Querier":      func() error { _ = r.Querier(); return r.Update(ctx, u) },
		"Query":        func() error { return ignore2(r.Query().Where(sqlb.Eq("id", 1)).ForUpdate().Find(ctx)) },
		"Raw":          func() error { return ignore2(r.Raw(ctx, "SELECT 1")) },
		"Restore":      func() error { return r.Restore(ctx, u) },
		"Select":       func() error { return ignore2(r.Select(ctx, sqlb.Select("id").From("users"))) },
		"Update":       func() error { return r.Update(ctx, u) },
		"UpdateFields": func() error { return ignore2(r.UpdateFields(ctx, int64(1), map[string]any{"email": "x"})) },
		"UpdateWhere":  func() error { return ignore2(r.UpdateWhere(ctx, map[string]any{"email": "x"}, sqlb.Eq("id", 1))) },
		"Upsert":       func() error { return ignore2(r.Upsert(ctx, u)) },
		"UpsertBatch":  func() error { return ignore2(r.UpsertBatch(ctx, []gUser{*u})) },
		"WithTrashed":  func() error { return ignore2(r.WithTrashed().Count(ctx)) },
		"WithTx":       func() error { return ignore2(r.WithTx(nil).Find(ctx)) },
	}
}

// queryMisuseCalls calls every exported method of the Query of r.
func queryMisuseCalls(r *Repository[gUser]) map[string]func() error {
	ctx := context.Background()
	q := r.Query()
	codec, _ := sqlb.NewCursorCodec([]byte("0123456789abcdef0123456789abcdef"))
	ignore2 := func(_ any, err error) error { return err }
	return map[string]func() error{
		"Builder":     func() error { _, _, err := q.Builder().ToSQL(); return err },
		"Count":       func() error { return ignore2(q.Count(ctx)) },
		"Cursor":      func() error { return ignore2(q.Cursor(ctx, codec, "", 10)) },
		"Delete":      func() error { return ignore2(q.Where(sqlb.Eq("id", 1)).Delete(ctx)) },
		"Exists":      func() error { return ignore2(q.Exists(ctx)) },
		"Find":        func() error { return ignore2(q.Find(ctx)) },
		"First":       func() error { return ignore2(q.First(ctx)) },
		"ForUpdate":   func() error { return ignore2(q.ForUpdate().Find(ctx)) },
		"Join":        func() error { return ignore2(q.Join("teams", sqlb.On("teams.id", "users.id")).Find(ctx)) },
		"Last":        func() error { return ignore2(q.Last(ctx)) },
		"LeftJoin":    func() error { return ignore2(q.LeftJoin("teams", sqlb.On("teams.id", "users.id")).Find(ctx)) },
		"Limit":       func() error { return ignore2(q.Limit(1).Find(ctx)) },
		"Offset":      func() error { return ignore2(q.Offset(1).Find(ctx)) },
		"OnlyTrashed": func() error { return ignore2(q.OnlyTrashed().Find(ctx)) },
		"OrderBy":     func() error { return ignore2(q.OrderBy(sqlb.Asc("id")).Find(ctx)) },
		"Page":        func() error { return ignore2(q.Page(ctx, 1, 10)) },
		"Scopes":      func() error { return ignore2(q.Scopes().Find(ctx)) },
		"ToSQL":       func() error { _, _, err := q.ToSQL(); return err },
		"Where":       func() error { return ignore2(q.Where(sqlb.Eq("id", 1)).Find(ctx)) },
		"WhereRaw":    func() error { return ignore2(q.WhereRaw("id = ?", 1).Find(ctx)) },
		"WhereNamed":  func() error { return ignore2(q.WhereNamed("id = :id", map[string]any{"id": 1}).Find(ctx)) },
		"WithTrashed": func() error { return ignore2(q.WithTrashed().Find(ctx)) },
	}
}

// methodNames lists the exported methods of t.
func methodNames(t reflect.Type) []string {
	names := make([]string, t.NumMethod())
	for i := range names {
		names[i] = t.Method(i).Name
	}
	return names
}

// callNoPanic runs call and turns a panic into a test failure.
func callNoPanic(t *testing.T, call func() error) (err error) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("panicked: %v", p)
		}
	}()
	return call()
}

// TestMisusedRepositoryErrs: every exported method of a nil, a zero and a
// querier-less Repository (and of the Query they start) returns ErrMisuse
// naming the problem, instead of panicking; nothing reaches a Querier.
func TestMisusedRepositoryErrs(t *testing.T) {
	t.Parallel()
	good, err := New[gUser](&fakeDB{})
	if err != nil {
		t.Fatal(err)
	}
	repos := []struct {
		name string
		r    *Repository[gUser]
		want string // in every message
	}{
		{name: "nil pointer", r: nil, want: "nil *repo.Repository[repo.gUser]"},
		{name: "zero value", r: &Repository[gUser]{}, want: "zero repo.Repository[repo.gUser]"},
		{name: "WithTx(nil)", r: good.WithTx(nil), want: "no Querier"},
	}
	suites := []struct {
		name  string
		calls func(*Repository[gUser]) map[string]func() error
		typ   reflect.Type
	}{
		{name: "Repository", calls: misuseCalls, typ: reflect.TypeOf((*Repository[gUser])(nil))},
		{name: "Query", calls: queryMisuseCalls, typ: reflect.TypeOf(Query[gUser]{})},
	}
	for _, s := range suites {
		for _, m := range methodNames(s.typ) {
			if _, ok := s.calls(good)[m]; !ok {
				t.Errorf("%s.%s is not covered by the misuse table", s.name, m)
			}
		}
		for _, rc := range repos {
			for name, call := range s.calls(rc.r) {
				t.Run(s.name+"/"+rc.name+"/"+name, func(t *testing.T) {
					err := callNoPanic(t, call)
					if !errors.Is(err, ErrMisuse) {
						t.Fatalf("err = %v, want ErrMisuse", err)
					}
					if !strings.Contains(err.Error(), rc.want) {
						t.Errorf("err = %q, want it to say %q", err, rc.want)
					}
				})
			}
		}
	}
}
