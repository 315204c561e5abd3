package sqlb

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

type Post struct {
	ID        int64      `db:"id" norm:"pk,identity"`
	Title     string     `db:"title"`
	Draft     bool       `db:"draft" norm:"default:true"`
	Views     int        `db:"views" norm:"default:0"`
	Slug      *string    `db:"slug" norm:"default:gen_slug()"`
	Version   int        `db:"version" norm:"version"`
	UpdatedAt time.Time  `db:"updated_at" norm:"default:now(),on_update:now()"`
	Search    string     `db:"search" norm:"generated:lower(title)"`
	DeletedAt *time.Time `db:"deleted_at"`
}

type Membership struct {
	UserID int64  `db:"user_id" norm:"pk"`
	TeamID int64  `db:"team_id" norm:"pk"`
	Role   string `db:"role"`
}

func TestInsertStruct(t *testing.T) {
	t.Parallel()
	now := time.Unix(0, 0)
	slug := "hello"
	runGolden(t, "insert_struct", []golden{
		{name: "zero defaults left to the database", b: InsertStruct(&Post{Title: "t", UpdatedAt: now})},
		{name: "pointer set", b: InsertStruct(Post{Title: "t", Slug: &slug, Draft: true, UpdatedAt: now})},
		{name: "deprecated omit zero defaults changes nothing", b: InsertStruct(&Post{Title: "t", Views: 3}, OmitZeroDefaults())},
		{name: "composite", b: InsertStruct(&Membership{UserID: 1, TeamID: 2, Role: "admin"})},
		{name: "nil", b: InsertStruct((*Post)(nil)), err: ErrInvalidValue, msg: "InsertStruct"},
		{name: "not struct", b: InsertStruct(5), err: ErrInvalidValue},
		{name: "anonymous", b: InsertStruct(struct{ A int }{1}), err: ErrEmptyTable},
	})
	st := InsertStruct(&Post{Title: "x"})
	var ret []string
	for _, f := range st.Returning() {
		ret = append(ret, f.Column)
	}
	if want := []string{"id", "draft", "views", "slug", "updated_at", "search"}; !reflect.DeepEqual(ret, want) {
		t.Fatalf("returning %v, want %v", ret, want)
	}
}

func TestUpdateStructByPK(t *testing.T) {
	t.Parallel()
	now := time.Unix(0, 0)
	p := &Post{ID: 9, Title: "t", Views: 0, Version: 4, UpdatedAt: now}
	runGolden(t, "update_struct_by_pk", []golden{
		{name: "versioned", b: UpdateStructByPK(p)},
		{name: "only", b: UpdateStructByPK(p, OnlyColumns("title"))},
		{name: "only unknown", b: UpdateStructByPK(p, OnlyColumns("nope")), err: ErrModel, msg: "OnlyColumns"},
		{name: "only pk", b: UpdateStructByPK(p, OnlyColumns("id")), err: ErrModel},
		{name: "composite", b: UpdateStructByPK(Membership{UserID: 1, TeamID: 2, Role: "r"})},
		{name: "no pk", b: UpdateStructByPK(struct {
			A int
		}{}), err: ErrEmptyTable},
	})
}

func TestUpsertAndDelete(t *testing.T) {
	t.Parallel()
	now := time.Unix(0, 0)
	p := &Post{Title: "t", UpdatedAt: now}
	runGolden(t, "upsert_and_delete", []golden{
		{name: "upsert default cols", b: UpsertStruct(&Membership{UserID: 1, TeamID: 2, Role: "r"}, nil, nil)},
		{name: "upsert chosen", b: UpsertStruct(p, []string{"title"}, []string{"views"})},
		{name: "upsert nothing to update", b: UpsertStruct(&Membership{}, nil, []string{})},
		{name: "upsert bad col", b: UpsertStruct(p, []string{"nope"}, nil), err: ErrModel},
		{name: "upsert update not inserted", b: UpsertStruct(p, []string{"title"}, []string{"id"}), err: ErrModel},
		{name: "delete", b: DeleteByPK(&Membership{UserID: 1, TeamID: 2})},
	})
}

func TestStructStatementCached(t *testing.T) {
	a, _, _ := InsertStruct(&Membership{UserID: 1}).ToSQL()
	b, _, _ := InsertStruct(&Membership{UserID: 2}).ToSQL()
	if a != b {
		t.Fatal("differs")
	}
	allocs := testing.AllocsPerRun(100, func() {
		_, _, _ = InsertStruct(&Membership{UserID: 1, TeamID: 2, Role: "r"}).ToSQL()
	})
	// args slice + 3 boxed values + the struct pointer escaping.
	if allocs > 6 {
		t.Fatalf("InsertStruct allocates %.0f times per call", allocs)
	}
}

func TestSelectModelKeyset(t *testing.T) {
	m, _ := ModelOf[Membership]()
	q := SelectModel(m).Where(Eq("role", "admin")).OrderBy(Asc("role")).Limit(10)
	s, _, err := q.ToSQL()
	if err != nil || s != `SELECT "user_id", "team_id", "role" FROM "memberships" WHERE "role" = $1 ORDER BY "role" ASC, "user_id" ASC, "team_id" ASC LIMIT $2` {
		t.Fatal(s, err)
	}
	c, err := q.CursorFrom(&Membership{UserID: 1, TeamID: 2, Role: "admin"})
	if err != nil || !reflect.DeepEqual(c.Values, []any{"admin", int64(1), int64(2)}) {
		t.Fatal(c, err)
	}
	s, args, err := q.After(c).ToSQL()
	if err != nil || s != `SELECT "user_id", "team_id", "role" FROM "memberships" WHERE "role" = $1 AND ("role", "user_id", "team_id") > ($2, $3, $4) ORDER BY "role" ASC, "user_id" ASC, "team_id" ASC LIMIT $5` || len(args) != 5 {
		t.Fatal(s, args, err)
	}
	if _, _, err := SelectModel(nil).ToSQL(); !errors.Is(err, ErrEmptyTable) {
		t.Fatal(err)
	}
}
