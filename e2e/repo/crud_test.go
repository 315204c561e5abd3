package repo

import (
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/normkit/norm/repo"
	"github.com/normkit/norm/sqlb"
)

// TestCreateBackfillsAndLeavesZeroDefaults: a defaulted field holding its
// zero value (Active false under default:true, Score 0 under default:5, a
// nil Nick) is left to the column default and read back; a set value is
// written as given.
func TestCreateBackfillsAndLeavesZeroDefaults(t *testing.T) {
	_, conn := setup(t, usersDDL)
	r, err := repo.New[User](conn)
	must(t, err)
	ctx := ctxT(t)

	u := &User{Email: "a@x", Name: "A", Active: false, Score: 0}
	must(t, r.Create(ctx, u))
	if u.ID == 0 || u.Nick == nil || *u.Nick != "anon" || !u.Active || u.Score != 5 || u.UpdatedAt.IsZero() {
		t.Fatalf("generated id and defaults not back-filled: %+v", u)
	}
	equal(t, "defaults stored", scalar[bool](t, conn, "SELECT active AND score = 5 AND nick = 'anon' FROM users WHERE id = $1", u.ID), true)

	set := &User{Email: "b@x", Name: "B", Active: true, Score: 7}
	must(t, r.Create(ctx, set))
	equal(t, "set values stored", scalar[int](t, conn, "SELECT score FROM users WHERE id = $1", set.ID), 7)

	got, err := r.FindByID(ctx, u.ID)
	must(t, err)
	equal(t, "round trip email", got.Email, "a@x")
	equal(t, "round trip active", got.Active, true)

	_, err = r.FindByID(ctx, int64(999))
	if !errors.Is(err, repo.ErrNotFound) || !errors.Is(err, pgx.ErrNoRows) {
		t.Fatalf("missing row: want ErrNotFound wrapping pgx.ErrNoRows, got %v", err)
	}
}

func TestConstraintErrors(t *testing.T) {
	_, conn := setup(t, usersDDL, membershipsDDL)
	users, err := repo.New[User](conn)
	must(t, err)
	members, err := repo.New[Membership](conn)
	must(t, err)
	ctx := ctxT(t)
	must(t, users.Create(ctx, newUser("dup@x")))

	tests := []struct {
		name       string
		run        func() error
		sentinel   error
		kind       repo.ConstraintKind
		constraint string
		column     string
	}{
		{"unique", func() error { return users.Create(ctx, newUser("dup@x")) }, repo.ErrUniqueViolation, repo.KindUnique, "users_email_key", "email"},
		{"check", func() error { return users.Create(ctx, newUser("")) }, repo.ErrCheckViolation, repo.KindCheck, "users_email_check", ""},
		{"foreign key", func() error { return members.Create(ctx, &Membership{TeamID: 1, UserID: 777, Role: "r"}) }, repo.ErrForeignKeyViolation, repo.KindForeignKey, "memberships_user_id_fkey", "user_id"},
		{"not null", func() error {
			_, err := users.UpdateFields(ctx, int64(1), map[string]any{"name": nil, "version": 0})
			return err
		}, repo.ErrNotNullViolation, repo.KindNotNull, "", "name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			if !errors.Is(err, tc.sentinel) {
				t.Fatalf("want %v, got %v", tc.sentinel, err)
			}
			var ce *repo.ConstraintError
			if !errors.As(err, &ce) {
				t.Fatalf("not a *ConstraintError: %v", err)
			}
			equal(t, "kind", ce.Kind, tc.kind)
			equal(t, "constraint", ce.Constraint, tc.constraint)
			equal(t, "column", ce.Column, tc.column)
			if ce.PgError == nil {
				t.Fatal("no PgError")
			}
			if tc.name == "unique" && (contains(err.Error(), "dup@x")) {
				t.Fatalf("message leaks a value: %s", err)
			}
		})
	}
}

func contains(s, sub string) bool { return len(sub) > 0 && len(s) >= len(sub) && indexOf(s, sub) >= 0 }

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

func TestReads(t *testing.T) {
	_, conn := setup(t, usersDDL)
	r, err := repo.New[User](conn)
	must(t, err)
	ctx := ctxT(t)
	for _, e := range []string{"c@x", "a@x", "b@x", "d@x"} {
		u := newUser(e)
		u.Score = len(e)
		if e == "a@x" || e == "b@x" {
			u.Score = 1
		}
		must(t, r.Create(ctx, u))
	}

	all, err := r.Find(ctx)
	must(t, err)
	equal(t, "find all", len(all), 4)

	one, err := r.FindOne(ctx, sqlb.Eq("email", "b@x"))
	must(t, err)
	equal(t, "find one", one.Email, "b@x")
	if _, err := r.FindOne(ctx, sqlb.Eq("score", 1)); !errors.Is(err, repo.ErrNotUnique) {
		t.Fatalf("FindOne on two rows: want ErrNotUnique, got %v", err)
	}
	if _, err := r.FindOne(ctx, sqlb.Eq("email", "zz")); !errors.Is(err, repo.ErrNotFound) {
		t.Fatalf("FindOne on none: want ErrNotFound, got %v", err)
	}

	first, err := r.First(ctx)
	must(t, err)
	equal(t, "first by pk", first.Email, "c@x")
	last, err := r.Last(ctx)
	must(t, err)
	equal(t, "last by pk", last.Email, "d@x")

	// Multi-column order: score asc, email desc → first (1,b@x), last (3,d@x/c@x → c@x is smaller, so email desc puts d@x first).
	q := r.Query().OrderBy(sqlb.Asc("score"), sqlb.Desc("email"))
	f, err := q.First(ctx)
	must(t, err)
	equal(t, "first multi-col", f.Email, "b@x")
	l, err := q.Last(ctx)
	must(t, err)
	equal(t, "last multi-col", l.Email, "c@x")

	n, err := r.Count(ctx, sqlb.Eq("score", 1))
	must(t, err)
	equal(t, "count", n, int64(2))
	ok, err := r.Exists(ctx, sqlb.Eq("email", "d@x"))
	must(t, err)
	equal(t, "exists", ok, true)
	ok, err = r.Exists(ctx, sqlb.Eq("email", "nope"))
	must(t, err)
	equal(t, "not exists", ok, false)

	page, err := r.Query().OrderBy(sqlb.Asc("email")).Limit(2).Offset(1).Find(ctx)
	must(t, err)
	equal(t, "chain", []string{page[0].Email, page[1].Email}, []string{"b@x", "c@x"})

	raw, err := r.Raw(ctx, "SELECT id, email FROM users WHERE email = $1", "a@x")
	must(t, err)
	equal(t, "raw maps by name", raw[0].Email, "a@x")
	if _, err := r.Raw(ctx, "SELECT 1 AS bogus"); !errors.Is(err, repo.ErrInvalid) || !contains(err.Error(), "bogus") {
		t.Fatalf("unmapped column: want ErrInvalid naming it, got %v", err)
	}
	sel, err := r.Select(ctx, sqlb.Select("id", "email").From("users").Where(sqlb.In("email", []string{"a@x", "d@x"})).OrderBy(sqlb.Asc("email")))
	must(t, err)
	equal(t, "select builder", []string{sel[0].Email, sel[1].Email}, []string{"a@x", "d@x"})
}

func TestScanConversionErrorsAreNotDropped(t *testing.T) {
	_, conn := setup(t, usersDDL)
	r, err := repo.New[User](conn)
	must(t, err)
	// A text value into the int field must fail, not be zeroed.
	items, err := r.Raw(ctxT(t), "SELECT 'abc'::text AS score")
	if err == nil || !contains(err.Error(), "score") || items != nil {
		t.Fatalf("text into an int field: want an error naming the column, got %v (%v)", err, items)
	}
	// An out-of-range value is an error too, not a wrapped-around number.
	_, err = r.Raw(ctxT(t), "SELECT 99999999999999999999::numeric AS score")
	if err == nil {
		t.Fatal("numeric beyond int64 scanned without error")
	}
}

func TestCompositeKey(t *testing.T) {
	_, conn := setup(t, usersDDL, membershipsDDL)
	users, err := repo.New[User](conn)
	must(t, err)
	r, err := repo.New[Membership](conn)
	must(t, err)
	ctx := ctxT(t)
	u := newUser("m@x")
	must(t, users.Create(ctx, u))
	m := &Membership{TeamID: 7, UserID: u.ID, Role: "owner"}
	must(t, r.Create(ctx, m))
	got, err := r.FindByID(ctx, repo.Key{int64(7), u.ID})
	must(t, err)
	equal(t, "composite find", got.Role, "owner")
	if _, err := r.FindByID(ctx, int64(7)); !errors.Is(err, repo.ErrInvalid) {
		t.Fatalf("single value for composite key: want ErrInvalid, got %v", err)
	}
	m.Role = "member"
	must(t, r.Update(ctx, m))
	got, err = r.FindByID(ctx, repo.Key{int64(7), u.ID})
	must(t, err)
	equal(t, "composite update", got.Role, "member")
	must(t, r.Delete(ctx, m))
	if _, err := r.FindByID(ctx, repo.Key{int64(7), u.ID}); !errors.Is(err, repo.ErrNotFound) {
		t.Fatalf("after delete: want ErrNotFound, got %v", err)
	}
	if err := r.Delete(ctx, m); !errors.Is(err, repo.ErrNotFound) {
		t.Fatalf("delete twice: want ErrNotFound, got %v", err)
	}
}

func TestUpdateFieldsAndWhere(t *testing.T) {
	_, conn := setup(t, usersDDL)
	r, err := repo.New[User](conn)
	must(t, err)
	ctx := ctxT(t)
	u := newUser("u@x")
	must(t, r.Create(ctx, u))

	got, err := r.UpdateFields(ctx, u.ID, map[string]any{"name": "New", "version": u.Version})
	must(t, err)
	equal(t, "updated name", got.Name, "New")
	equal(t, "version bumped", got.Version, u.Version+1)
	equal(t, "email untouched", got.Email, "u@x")
	if !got.UpdatedAt.After(u.UpdatedAt) {
		t.Fatalf("on_update not applied: %v vs %v", got.UpdatedAt, u.UpdatedAt)
	}

	tests := []struct {
		name   string
		fields map[string]any
		want   string
	}{
		{"unknown column", map[string]any{"nombre": "x", "version": 1}, `"nombre"`},
		{"key column", map[string]any{"id": 5, "version": 1}, `"id"`},
		{"no version", map[string]any{"name": "x"}, `"version"`},
	}
	for _, tc := range tests {
		_, err := r.UpdateFields(ctx, u.ID, tc.fields)
		if !errors.Is(err, repo.ErrInvalid) || !contains(err.Error(), tc.want) {
			t.Fatalf("%s: want ErrInvalid naming %s, got %v", tc.name, tc.want, err)
		}
	}

	if _, err := r.UpdateWhere(ctx, map[string]any{"score": 9}); !errors.Is(err, repo.ErrInvalid) {
		t.Fatalf("UpdateWhere without condition: want ErrInvalid, got %v", err)
	}
	if _, err := r.DeleteWhere(ctx); !errors.Is(err, repo.ErrInvalid) {
		t.Fatalf("DeleteWhere without condition: want ErrInvalid, got %v", err)
	}
	must(t, r.Create(ctx, newUser("v@x")))
	n, err := r.UpdateWhere(ctx, map[string]any{"score": 9}, repo.AllRows())
	must(t, err)
	equal(t, "update all", n, int64(2))
	equal(t, "stored", scalar[int64](t, conn, "SELECT count(*) FROM users WHERE score = 9"), int64(2))
	n, err = r.UpdateWhere(ctx, map[string]any{"score": 1}, sqlb.Eq("email", "v@x"))
	must(t, err)
	equal(t, "update one", n, int64(1))
}
