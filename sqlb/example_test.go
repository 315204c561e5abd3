package sqlb_test

import (
	"fmt"
	"time"

	sq "github.com/Masterminds/squirrel"

	"github.com/normkit/norm/sqlb"
)

func ExampleSelect() {
	q := sqlb.Select("u.id", "u.email").
		From(sqlb.As("users", "u")).
		Join(sqlb.As("orders", "o"), sqlb.On("o.user_id", "u.id")).
		Where(sqlb.Eq("u.status", "active"), sqlb.In("o.state", []string{"paid", "shipped"})).
		OrderBy(sqlb.Desc("u.created_at")).
		Limit(20)
	sql, args, err := q.ToSQL()
	fmt.Println(sql)
	fmt.Println(args, err)
	// Output:
	// SELECT "u"."id", "u"."email" FROM "users" AS "u" JOIN "orders" AS "o" ON "o"."user_id" = "u"."id" WHERE "u"."status" = $1 AND "o"."state" = ANY($2) ORDER BY "u"."created_at" DESC LIMIT $3
	// [active [paid shipped] 20] <nil>
}

func ExampleSelectBuilder_With() {
	recent := sqlb.Select("id").From("posts").Where(sqlb.Gt("score", 10))
	q := sqlb.Select("*").From("recent").With("recent", recent).
		Where(sqlb.NotIn("id", sqlb.Select("post_id").From("flags").Where(sqlb.Eq("kind", "spam"))))
	sql, args, _ := q.ToSQL()
	fmt.Println(sql)
	fmt.Println(args)
	// Output:
	// WITH "recent" AS (SELECT "id" FROM "posts" WHERE "score" > $1) SELECT * FROM "recent" WHERE "id" NOT IN (SELECT "post_id" FROM "flags" WHERE "kind" = $2)
	// [10 spam]
}

func ExampleIn() {
	sql, args, _ := sqlb.Select("id").From("users").Where(sqlb.In("id", []int64{1, 2, 3})).ToSQL()
	fmt.Println(sql, args)
	sql, _, _ = sqlb.Select("id").From("users").Where(sqlb.In("id", []int64{})).ToSQL()
	fmt.Println(sql)
	// Output:
	// SELECT "id" FROM "users" WHERE "id" = ANY($1) [[1 2 3]]
	// SELECT "id" FROM "users" WHERE FALSE
}

func ExampleRaw() {
	sql, args, _ := sqlb.Select("id").From("docs").
		Where(sqlb.Raw("data ?? ? AND note <> '?'", "tag")). // ?? is the jsonb ? operator
		ToSQL()
	fmt.Println(sql, args)
	// Output:
	// SELECT "id" FROM "docs" WHERE (data ? $1 AND note <> '?') [tag]
}

func ExampleRawNamed() {
	sql, args, _ := sqlb.RawNamed(
		"SELECT * FROM events WHERE owner = :owner OR reviewer = :owner AND at::date = @day",
		map[string]any{"owner": 7, "day": "2024-05-01"}).ToSQL()
	fmt.Println(sql)
	fmt.Println(args)
	// Output:
	// SELECT * FROM events WHERE owner = $1 OR reviewer = $1 AND at::date = $2
	// [7 2024-05-01]
}

func ExampleInsert() {
	sql, args, _ := sqlb.Insert("users").Columns("email", "name").
		Values("ann@example.com", "Ann").
		Values("bob@example.com", "Bob").
		OnConflict(sqlb.ConflictOn("email"), sqlb.DoUpdate().SetExcluded("name")).
		Returning("id").ToSQL()
	fmt.Println(sql)
	fmt.Println(args)
	// Output:
	// INSERT INTO "users" ("email", "name") VALUES ($1, $2), ($3, $4) ON CONFLICT ("email") DO UPDATE SET "name" = EXCLUDED."name" RETURNING "id"
	// [ann@example.com Ann bob@example.com Bob]
}

func ExampleUpdate() {
	sql, args, _ := sqlb.Update(sqlb.As("users", "u")).
		Set("team_name", sqlb.Col("t.name")).
		Set("visits", sqlb.Raw(`"u"."visits" + ?`, 1)).
		From(sqlb.As("teams", "t")).
		Where(sqlb.On("t.id", "u.team_id"), sqlb.Eq("u.id", 7)).
		Returning("visits").ToSQL()
	fmt.Println(sql)
	fmt.Println(args)
	// Output:
	// UPDATE "users" AS "u" SET "team_name" = "t"."name", "visits" = ("u"."visits" + $1) FROM "teams" AS "t" WHERE "t"."id" = "u"."team_id" AND "u"."id" = $2 RETURNING "visits"
	// [1 7]
}

func ExampleDelete() {
	sql, args, _ := sqlb.Delete("sessions").Where(sqlb.Lt("expires_at", time.Unix(0, 0).UTC())).Returning("id").ToSQL()
	fmt.Println(sql)
	fmt.Println(args)
	// Output:
	// DELETE FROM "sessions" WHERE "expires_at" < $1 RETURNING "id"
	// [1970-01-01 00:00:00 +0000 UTC]
}

func ExampleSelectBuilder_After() {
	page := sqlb.Select("id", "created_at", "title").From("posts").
		OrderBy(sqlb.Desc("created_at")).TieBreaker("id").Limit(2)
	last := map[string]any{"id": int64(41), "created_at": "2024-05-01T10:00:00Z", "title": "x"}
	cur, _ := page.CursorFrom(last)
	sql, args, _ := page.After(cur).ToSQL()
	fmt.Println(sql)
	fmt.Println(args)
	sql, _, _ = page.Before(cur).ToSQL()
	fmt.Println(sql)
	// Output:
	// SELECT "id", "created_at", "title" FROM "posts" WHERE ("created_at", "id") < ($1, $2) ORDER BY "created_at" DESC, "id" DESC LIMIT $3
	// [2024-05-01T10:00:00Z 41 2]
	// SELECT * FROM (SELECT "id", "created_at", "title" FROM "posts" WHERE ("created_at", "id") > ($1, $2) ORDER BY "created_at" ASC, "id" ASC LIMIT $3) AS "sqlb_page" ORDER BY "created_at" DESC, "id" DESC
}

func ExampleCursorCodec() {
	codec, _ := sqlb.NewCursorCodec([]byte("32-byte-secret-from-your-vault!!"))
	token, _ := codec.Encode(sqlb.Cursor{Keys: []string{"id ASC"}, Values: []any{int64(41)}})
	cur, err := codec.Decode(token)
	fmt.Println(cur.Values, err)
	_, err = codec.Decode(token[:len(token)-2] + "xx")
	fmt.Println(err)
	// Output:
	// [41] <nil>
	// sqlb: CursorCodec.Decode: invalid cursor: bad signature
}

func ExampleParseSort() {
	allowed := map[string]string{"name": "name", "newest": "created_at"}
	keys, err := sqlb.ParseSort("-newest,name", allowed)
	fmt.Println(keys, err)
	_, err = sqlb.ParseSort("password", allowed)
	fmt.Println(err)
	// Output:
	// [created_at DESC name ASC] <nil>
	// sqlb: ParseSort("password"): invalid identifier: sort field "password" is not allowed
}

type Article struct {
	ID        int64     `db:"id" norm:"pk,identity"`
	Title     string    `db:"title" norm:"not_null"`
	Published bool      `db:"published" norm:"default:false"`
	Version   int       `db:"version" norm:"version"`
	UpdatedAt time.Time `db:"updated_at" norm:"default:now(),on_update:now()"`
}

func ExampleInsertStruct() {
	sql, args, _ := sqlb.InsertStruct(&Article{Title: "Hello"}, sqlb.OmitZeroDefaults()).ToSQL()
	fmt.Println(sql)
	fmt.Println(args)
	// Output:
	// INSERT INTO "articles" ("title", "version") VALUES ($1, $2) RETURNING "id", "published", "updated_at"
	// [Hello 0]
}

func ExampleUpdateStructByPK() {
	sql, args, _ := sqlb.UpdateStructByPK(&Article{ID: 7, Title: "Hi", Published: true, Version: 3}).ToSQL()
	fmt.Println(sql)
	fmt.Println(args)
	// Output:
	// UPDATE "articles" SET "title" = $1, "published" = $2, "version" = ("version" + 1), "updated_at" = (now()) WHERE "id" = $3 AND "version" = $4 RETURNING "version", "updated_at"
	// [Hi true 7 3]
}

func ExampleModelOf() {
	m, _ := sqlb.ModelOf[Article]()
	fmt.Println(m.Table, m.Columns(), m.PK[0].Column, m.Version.Column)
	fmt.Println(m.Field("updated_at").Default, m.Field("updated_at").OnUpdate)
	// Output:
	// articles [id title published version updated_at] id version
	// now() now()
}

func Example_squirrel() {
	// sqlb conditions inside squirrel, and squirrel inside sqlb.
	sql, args, _ := sq.Select("id").From("users").Where(sqlb.In("id", []int{1, 2})).
		PlaceholderFormat(sq.Dollar).ToSql()
	fmt.Println(sql, args)
	sql, args, _ = sqlb.Select("id").From("users").Where(sq.Like{"name": "a%"}, sqlb.Eq("active", true)).ToSQL()
	fmt.Println(sql, args)
	// A sqlb statement inside squirrel: its Squirrel view has ToSql (? form);
	// the builder itself has only ToSQL ($n), so no slip sends ? to the server.
	team := sqlb.Select("user_id").From("members").Where(sqlb.Eq("team_id", 7))
	sql, args, _ = sq.Select("id").From("users").Where(sq.Expr("id IN (?)", team.Squirrel())).
		PlaceholderFormat(sq.Dollar).ToSql()
	fmt.Println(sql, args)
	// Output:
	// SELECT id FROM users WHERE "id" = ANY($1) [[1 2]]
	// SELECT "id" FROM "users" WHERE (name LIKE $1) AND "active" = $2 [a% true]
	// SELECT id FROM users WHERE id IN (SELECT "user_id" FROM "members" WHERE "team_id" = $1) [7]
}
