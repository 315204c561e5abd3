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
	now := time.Unix(0, 0)
	slug := "hello"
	runGolden(t, []golden{
		{name: "nil pointer default omitted, zero values written", b: InsertStruct(&Post{Title: "t", UpdatedAt: now}),
			sql:  `INSERT INTO "posts" ("title", "draft", "views", "version", "updated_at", "deleted_at") VALUES ($1, $2, $3, $4, $5, $6) RETURNING "id", "slug", "search"`,
			args: []any{"t", false, 0, 0, now, (*time.Time)(nil)}},
		{name: "pointer set", b: InsertStruct(Post{Title: "t", Slug: &slug, Draft: true, UpdatedAt: now}),
			sql:  `INSERT INTO "posts" ("title", "draft", "views", "slug", "version", "updated_at", "deleted_at") VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING "id", "search"`,
			args: []any{"t", true, 0, &slug, 0, now, (*time.Time)(nil)}},
		{name: "omit zero defaults", b: InsertStruct(&Post{Title: "t", Views: 3}, OmitZeroDefaults()),
			sql:  `INSERT INTO "posts" ("title", "views", "version", "deleted_at") VALUES ($1, $2, $3, $4) RETURNING "id", "draft", "slug", "updated_at", "search"`,
			args: []any{"t", 3, 0, (*time.Time)(nil)}},
		{name: "composite", b: InsertStruct(&Membership{UserID: 1, TeamID: 2, Role: "admin"}),
			sql: `INSERT INTO "memberships" ("user_id", "team_id", "role") VALUES ($1, $2, $3)`, args: []any{int64(1), int64(2), "admin"}},
		{name: "nil", b: InsertStruct((*Post)(nil)), err: ErrInvalidValue, msg: "InsertStruct"},
		{name: "not struct", b: InsertStruct(5), err: ErrInvalidValue},
		{name: "anonymous", b: InsertStruct(struct{ A int }{1}), err: ErrEmptyTable},
	})
	st := InsertStruct(&Post{Title: "x"})
	if got := st.Returning(); len(got) != 3 || got[0].Column != "id" {
		t.Fatal(got)
	}
}

func TestUpdateStructByPK(t *testing.T) {
	now := time.Unix(0, 0)
	p := &Post{ID: 9, Title: "t", Views: 0, Version: 4, UpdatedAt: now}
	runGolden(t, []golden{
		{name: "versioned", b: UpdateStructByPK(p),
			sql:  `UPDATE "posts" SET "title" = $1, "draft" = $2, "views" = $3, "slug" = $4, "version" = "version" + 1, "updated_at" = now(), "deleted_at" = $5 WHERE "id" = $6 AND "version" = $7 RETURNING "version", "updated_at", "search"`,
			args: []any{"t", false, 0, (*string)(nil), (*time.Time)(nil), int64(9), 4}},
		{name: "only", b: UpdateStructByPK(p, OnlyColumns("title")),
			sql:  `UPDATE "posts" SET "title" = $1, "version" = "version" + 1, "updated_at" = now() WHERE "id" = $2 AND "version" = $3 RETURNING "version", "updated_at", "search"`,
			args: []any{"t", int64(9), 4}},
		{name: "only unknown", b: UpdateStructByPK(p, OnlyColumns("nope")), err: ErrModel, msg: "OnlyColumns"},
		{name: "only pk", b: UpdateStructByPK(p, OnlyColumns("id")), err: ErrModel},
		{name: "composite", b: UpdateStructByPK(Membership{UserID: 1, TeamID: 2, Role: "r"}),
			sql: `UPDATE "memberships" SET "role" = $1 WHERE "user_id" = $2 AND "team_id" = $3`, args: []any{"r", int64(1), int64(2)}},
		{name: "no pk", b: UpdateStructByPK(struct {
			A int
		}{}), err: ErrEmptyTable},
	})
}

func TestUpsertAndDelete(t *testing.T) {
	now := time.Unix(0, 0)
	p := &Post{Title: "t", UpdatedAt: now}
	runGolden(t, []golden{
		{name: "upsert default cols", b: UpsertStruct(&Membership{UserID: 1, TeamID: 2, Role: "r"}, nil, nil),
			sql: `INSERT INTO "memberships" ("user_id", "team_id", "role") VALUES ($1, $2, $3) ON CONFLICT ("user_id", "team_id") DO UPDATE SET "role" = EXCLUDED."role"`, args: []any{int64(1), int64(2), "r"}},
		{name: "upsert chosen", b: UpsertStruct(p, []string{"title"}, []string{"views"}),
			sql:  `INSERT INTO "posts" ("title", "draft", "views", "version", "updated_at", "deleted_at") VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT ("title") DO UPDATE SET "views" = EXCLUDED."views", "version" = "posts"."version" + 1, "updated_at" = now() RETURNING "id", "slug", "search", "version"`,
			args: []any{"t", false, 0, 0, now, (*time.Time)(nil)}},
		{name: "upsert nothing to update", b: UpsertStruct(&Membership{}, nil, []string{}),
			sql: `INSERT INTO "memberships" ("user_id", "team_id", "role") VALUES ($1, $2, $3) ON CONFLICT ("user_id", "team_id") DO NOTHING`, args: []any{int64(0), int64(0), ""}},
		{name: "upsert bad col", b: UpsertStruct(p, []string{"nope"}, nil), err: ErrModel},
		{name: "upsert update not inserted", b: UpsertStruct(p, []string{"title"}, []string{"id"}), err: ErrModel},
		{name: "delete", b: DeleteByPK(&Membership{UserID: 1, TeamID: 2}), sql: `DELETE FROM "memberships" WHERE "user_id" = $1 AND "team_id" = $2`, args: []any{int64(1), int64(2)}},
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
