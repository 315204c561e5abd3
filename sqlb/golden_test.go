package sqlb

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	sq "github.com/Masterminds/squirrel"
)

type toSQLer interface {
	ToSQL() (string, []any, error)
}

type golden struct {
	name string
	b    toSQLer
	sql  string
	args []any
	err  error // sentinel; when set, sql/args are ignored
	msg  string
}

func runGolden(t *testing.T, cases []golden) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, args, err := c.b.ToSQL()
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Fatalf("err = %v, want %v", err, c.err)
				}
				if c.msg != "" && !strings.Contains(err.Error(), c.msg) {
					t.Fatalf("err = %q, want it to mention %q", err, c.msg)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if got != c.sql {
				t.Fatalf("sql:\n got %s\nwant %s", got, c.sql)
			}
			if len(args) == 0 && len(c.args) == 0 {
				return
			}
			if !reflect.DeepEqual(args, c.args) {
				t.Fatalf("args:\n got %#v\nwant %#v", args, c.args)
			}
		})
	}
}

func TestSelectGolden(t *testing.T) {
	users := Select("id", "name").From("users")
	runGolden(t, []golden{
		{name: "simple", b: users, sql: `SELECT "id", "name" FROM "users"`},
		{name: "star", b: Select("*").From("public.users"), sql: `SELECT * FROM "public"."users"`},
		{name: "qualified star", b: Select("u.*").From(As("users", "u")), sql: `SELECT "u".* FROM "users" AS "u"`},
		{name: "quoted part", b: Select(`public."my.table".id`).From(`public."my.table"`), sql: `SELECT "public"."my.table"."id" FROM "public"."my.table"`},
		{name: "case kept", b: Select("UserName").From("Users"), sql: `SELECT "UserName" FROM "Users"`},
		{name: "embedded quote", b: Select(`"we""ird"`).From("t"), sql: `SELECT "we""ird" FROM "t"`},
		{name: "bare quote rejected", b: Select(`we"ird`).From("t"), err: ErrInvalidIdentifier},
		{name: "injection in column is an identifier", b: Select("id; DROP TABLE users; --").From("t"), sql: `SELECT "id; DROP TABLE users; --" FROM "t"`},
		{name: "where eq", b: users.Where(Eq("id", 7)), sql: `SELECT "id", "name" FROM "users" WHERE "id" = $1`, args: []any{7}},
		{name: "where and", b: users.Where(Eq("a", 1)).Where(Ne("b", 2), Gt("c", 3), Ge("d", 4), Lt("e", 5), Le("f", 6)),
			sql:  `SELECT "id", "name" FROM "users" WHERE "a" = $1 AND "b" <> $2 AND "c" > $3 AND "d" >= $4 AND "e" < $5 AND "f" <= $6`,
			args: []any{1, 2, 3, 4, 5, 6}},
		{name: "nil eq", b: users.Where(Eq("deleted_at", nil), Ne("email", nil)), sql: `SELECT "id", "name" FROM "users" WHERE "deleted_at" IS NULL AND "email" IS NOT NULL`},
		{name: "nil where ignored", b: users.Where(nil), sql: `SELECT "id", "name" FROM "users"`},
		{name: "in slice", b: users.Where(In("id", []int64{1, 2, 3})), sql: `SELECT "id", "name" FROM "users" WHERE "id" = ANY($1)`, args: []any{[]int64{1, 2, 3}}},
		{name: "not in slice", b: users.Where(NotIn("id", []string{"a"})), sql: `SELECT "id", "name" FROM "users" WHERE "id" <> ALL($1)`, args: []any{[]string{"a"}}},
		{name: "in empty", b: users.Where(In("id", []int{})), sql: `SELECT "id", "name" FROM "users" WHERE FALSE`},
		{name: "in nil slice", b: users.Where(In("id", []int(nil))), sql: `SELECT "id", "name" FROM "users" WHERE FALSE`},
		{name: "not in empty", b: users.Where(NotIn("id", []int{})), sql: `SELECT "id", "name" FROM "users" WHERE TRUE`},
		{name: "not(in empty)", b: users.Where(Not(In("id", []int{}))), sql: `SELECT "id", "name" FROM "users" WHERE NOT (FALSE)`},
		{name: "in array", b: users.Where(In("id", [2]int{1, 2})), sql: `SELECT "id", "name" FROM "users" WHERE "id" = ANY($1)`, args: []any{[2]int{1, 2}}},
		{name: "in scalar", b: users.Where(In("id", 5)), err: ErrInvalidValue, msg: `In("id")`},
		{name: "in bytes", b: users.Where(In("id", []byte("x"))), err: ErrInvalidValue},
		{name: "in subquery", b: users.Where(In("id", Select("user_id").From("orders").Where(Gt("total", 100)))),
			sql: `SELECT "id", "name" FROM "users" WHERE "id" IN (SELECT "user_id" FROM "orders" WHERE "total" > $1)`, args: []any{100}},
		{name: "like", b: users.Where(Like("name", "a%"), ILike("name", "%B"), NotLike("x", "y"), NotILike("x", "z")),
			sql:  `SELECT "id", "name" FROM "users" WHERE "name" LIKE $1 AND "name" ILIKE $2 AND "x" NOT LIKE $3 AND "x" NOT ILIKE $4`,
			args: []any{"a%", "%B", "y", "z"}},
		{name: "null checks", b: users.Where(IsNull("a"), NotNull("b")), sql: `SELECT "id", "name" FROM "users" WHERE "a" IS NULL AND "b" IS NOT NULL`},
		{name: "between", b: users.Where(Between("age", 18, 65)), sql: `SELECT "id", "name" FROM "users" WHERE "age" BETWEEN $1 AND $2`, args: []any{18, 65}},
		{name: "and or not", b: users.Where(Or(And(Eq("a", 1), Eq("b", 2)), Not(Eq("c", 3)))),
			sql: `SELECT "id", "name" FROM "users" WHERE (("a" = $1 AND "b" = $2) OR NOT ("c" = $3))`, args: []any{1, 2, 3}},
		{name: "empty and or", b: users.Where(And(), Or()), sql: `SELECT "id", "name" FROM "users" WHERE TRUE AND FALSE`},
		{name: "raw is parenthesized", b: users.WhereRaw("a = ? OR b = ?", 1, 2).Where(Eq("c", 3)),
			sql: `SELECT "id", "name" FROM "users" WHERE (a = $1 OR b = $2) AND "c" = $3`, args: []any{1, 2, 3}},
		{name: "raw in or", b: users.Where(Or(Raw("x = ?", 1), Raw("y = ?", 2))),
			sql: `SELECT "id", "name" FROM "users" WHERE ((x = $1) OR (y = $2))`, args: []any{1, 2}},
		{name: "squirrel condition", b: users.Where(sq.Eq{"a": 1}, sq.Or{sq.Gt{"b": 2}, sq.Expr("c = ?", 3)}),
			sql: `SELECT "id", "name" FROM "users" WHERE (a = $1) AND ((b > $2 OR c = $3))`, args: []any{1, 2, 3}},
		{name: "squirrel builder subquery with dollar format", b: users.Where(In("id", sq.Select("x").From("y").Where("z = ?", 1).PlaceholderFormat(sq.Dollar))).Where(Eq("w", 2)),
			sql: `SELECT "id", "name" FROM "users" WHERE "id" IN (SELECT x FROM y WHERE z = $1) AND "w" = $2`, args: []any{1, 2}},
		{name: "compare columns", b: users.Where(Eq("a.x", Col("b.y"))), sql: `SELECT "id", "name" FROM "users" WHERE "a"."x" = "b"."y"`},
		{name: "scalar subquery value", b: users.Where(Gt("score", Select().ColumnRaw("avg(score)").From("users"))),
			sql: `SELECT "id", "name" FROM "users" WHERE "score" > (SELECT avg(score) FROM "users")`},
		{name: "exists", b: users.Where(Exists(Select("1").From("orders").Where(On("orders.user_id", "users.id"))), NotExists(Select("1").From("bans"))),
			sql: `SELECT "id", "name" FROM "users" WHERE EXISTS (SELECT "1" FROM "orders" WHERE "orders"."user_id" = "users"."id") AND NOT EXISTS (SELECT "1" FROM "bans")`},
		{name: "joins", b: Select("u.id").From(As("users", "u")).
			Join(As("orders", "o"), On("o.user_id", "u.id")).
			LeftJoin(As("profiles", "p"), And(On("p.user_id", "u.id"), Eq("p.kind", "main"))).
			RightJoin("teams", On("teams.id", "u.team_id")).
			FullJoin("x", On("x.id", "u.id")).
			CrossJoin("y").
			JoinRaw("LEFT JOIN LATERAL (SELECT 1 WHERE ?) z ON true", true),
			sql:  `SELECT "u"."id" FROM "users" AS "u" JOIN "orders" AS "o" ON "o"."user_id" = "u"."id" LEFT JOIN "profiles" AS "p" ON ("p"."user_id" = "u"."id" AND "p"."kind" = $1) RIGHT JOIN "teams" ON "teams"."id" = "u"."team_id" FULL JOIN "x" ON "x"."id" = "u"."id" CROSS JOIN "y" LEFT JOIN LATERAL (SELECT 1 WHERE $2) z ON true`,
			args: []any{"main", true}},
		{name: "join subquery", b: Select("u.id", "t.n").From(As("users", "u")).Join(As(Select("user_id").ColumnRaw("count(*) AS n").From("orders").Where(Gt("total", 5)).GroupBy("user_id"), "t"), On("t.user_id", "u.id")).Where(Eq("u.active", true)),
			sql:  `SELECT "u"."id", "t"."n" FROM "users" AS "u" JOIN (SELECT "user_id", count(*) AS n FROM "orders" WHERE "total" > $1 GROUP BY "user_id") AS "t" ON "t"."user_id" = "u"."id" WHERE "u"."active" = $2`,
			args: []any{5, true}},
		{name: "from subquery", b: Select("n").From(As(Select("id").From("t").Where(Eq("a", 1)), "s")).Where(Eq("b", 2)),
			sql: `SELECT "n" FROM (SELECT "id" FROM "t" WHERE "a" = $1) AS "s" WHERE "b" = $2`, args: []any{1, 2}},
		{name: "from raw", b: Select("n").FromRaw("generate_series(1, ?) AS g(n)", 3), sql: `SELECT "n" FROM generate_series(1, $1) AS g(n)`, args: []any{3}},
		{name: "column expressions", b: Select("id").Column(As(Raw("count(*)"), "n")).Column(As("name", "user_name")).ColumnRaw("coalesce(x, ?) AS y", 0).Column(Select("1").From("z")).From("t"),
			sql: `SELECT "id", count(*) AS "n", "name" AS "user_name", coalesce(x, $1) AS y, (SELECT "1" FROM "z") FROM "t"`, args: []any{0}},
		{name: "group having", b: Select("team").ColumnRaw("count(*)").From("users").GroupBy("team").Having(Raw("count(*) > ?", 5)).HavingRaw("sum(x) < ?", 10),
			sql: `SELECT "team", count(*) FROM "users" GROUP BY "team" HAVING (count(*) > $1) AND (sum(x) < $2)`, args: []any{5, 10}},
		{name: "distinct", b: Select("a").Distinct().From("t"), sql: `SELECT DISTINCT "a" FROM "t"`},
		{name: "distinct on", b: Select("a", "b").DistinctOn("a").From("t").OrderBy(Asc("a"), Desc("b")), sql: `SELECT DISTINCT ON ("a") "a", "b" FROM "t" ORDER BY "a" ASC, "b" DESC`},
		{name: "order nulls", b: users.OrderBy(Desc("x").NullsLast(), Asc("y").NullsFirst()).OrderByRaw("similarity(name, ?) DESC", "bob"),
			sql: `SELECT "id", "name" FROM "users" ORDER BY "x" DESC NULLS LAST, "y" ASC NULLS FIRST, similarity(name, $1) DESC`, args: []any{"bob"}},
		{name: "limit offset are params", b: users.Limit(10).Offset(20), sql: `SELECT "id", "name" FROM "users" LIMIT $1 OFFSET $2`, args: []any{int64(10), int64(20)}},
		{name: "limit zero", b: users.Limit(0), sql: `SELECT "id", "name" FROM "users" LIMIT $1`, args: []any{int64(0)}},
		{name: "negative limit", b: users.Limit(-1), err: ErrInvalidValue, msg: "Select.Limit(-1)"},
		{name: "negative offset", b: users.Offset(-5), err: ErrInvalidValue, msg: "Select.Offset(-5)"},
		{name: "locks", b: users.Where(Eq("id", 1)).ForUpdate(NoWait), sql: `SELECT "id", "name" FROM "users" WHERE "id" = $1 FOR UPDATE NOWAIT`, args: []any{1}},
		{name: "lock skip of", b: Select("j.id").From(As("jobs", "j")).OrderBy(Asc("j.id")).Limit(1).ForUpdate(Of("j"), SkipLocked),
			sql: `SELECT "j"."id" FROM "jobs" AS "j" ORDER BY "j"."id" ASC LIMIT $1 FOR UPDATE OF "j" SKIP LOCKED`, args: []any{int64(1)}},
		{name: "share locks", b: users.ForShare().ForKeyShare(NoWait).ForNoKeyUpdate(), sql: `SELECT "id", "name" FROM "users" FOR SHARE FOR KEY SHARE NOWAIT FOR NO KEY UPDATE`},
		{name: "cte numbering", b: Select("*").From("recent").
			With("recent", Select("id").From("posts").Where(Gt("at", 1))).
			With("top", Select("id").From("recent").Where(Lt("score", 2)), "id").
			Where(In("id", Select("id").From("top").Where(Eq("x", 3)))).Limit(4),
			sql:  `WITH "recent" AS (SELECT "id" FROM "posts" WHERE "at" > $1), "top" ("id") AS (SELECT "id" FROM "recent" WHERE "score" < $2) SELECT * FROM "recent" WHERE "id" IN (SELECT "id" FROM "top" WHERE "x" = $3) LIMIT $4`,
			args: []any{1, 2, 3, int64(4)}},
		{name: "recursive cte", b: Select("n").From("t").WithRecursive("t", Raw("SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < ?", 5), "n"),
			sql: `WITH RECURSIVE "t" ("n") AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < $1) SELECT "n" FROM "t"`, args: []any{5}},
		{name: "raw with subquery arg", b: Select("id").From("t").Where(Raw("EXISTS (?) OR x = ?", Select("1").From("u").Where(Eq("a", 1)), 2)),
			sql: `SELECT "id" FROM "t" WHERE (EXISTS (SELECT "1" FROM "u" WHERE "a" = $1) OR x = $2)`, args: []any{1, 2}},
		{name: "no columns", b: Select().From("t"), err: ErrIncomplete},
		{name: "empty from", b: Select("a").From(""), err: ErrInvalidIdentifier, msg: "Select.From"},
		{name: "nul column", b: Select("a\x00b").From("t"), err: ErrInvalidIdentifier, msg: `Select.Columns("a\x00b")`},
		{name: "bad order column", b: users.OrderBy(Asc("")), err: ErrInvalidIdentifier},
		{name: "unsupported value", b: users.Where(Eq("a", func() {})), err: ErrInvalidValue, msg: `Eq("a")`},
		{name: "nil gt", b: users.Where(Gt("a", nil)), err: ErrInvalidValue},
		{name: "raw placeholder mismatch", b: users.WhereRaw("a = ? AND b = ?", 1), err: ErrPlaceholders, msg: "Select.WhereRaw"},
		{name: "raw positional rejected", b: users.WhereRaw("a = $1", 1), err: ErrPlaceholders},
		{name: "long identifier", b: Select(strings.Repeat("a", 64)).From("t"), err: ErrInvalidIdentifier},
		{name: "too long is 64, 63 ok", b: Select(strings.Repeat("a", 63)).From("t"), sql: `SELECT "` + strings.Repeat("a", 63) + `" FROM "t"`},
	})
}

func TestBuilderImmutable(t *testing.T) {
	base := Select("id").From("t").Where(Eq("a", 1))
	q1 := base.Where(Eq("b", 2))
	q2 := base.Where(Eq("c", 3))
	s1, _, _ := q1.ToSQL()
	s2, _, _ := q2.ToSQL()
	s0, _, _ := base.ToSQL()
	if s0 != `SELECT "id" FROM "t" WHERE "a" = $1` || s1 != `SELECT "id" FROM "t" WHERE "a" = $1 AND "b" = $2` || s2 != `SELECT "id" FROM "t" WHERE "a" = $1 AND "c" = $2` {
		t.Fatalf("builders share state:\n%s\n%s\n%s", s0, s1, s2)
	}
}

func TestNestingProducesQuestionMarks(t *testing.T) {
	sub := Select("id").From("t").Where(Eq("a", 1), WhereLike())
	s, args, err := sub.ToSql()
	if err != nil || s != `SELECT "id" FROM "t" WHERE "a" = ? AND (j ?? ?)` || len(args) != 2 {
		t.Fatalf("ToSql = %q %v %v", s, args, err)
	}
	// Squirrel can consume it and number it itself.
	q, args, err := sq.Select("*").From("x").Where(sq.Expr("id IN (?)", sub)).Where("b = ?", 2).PlaceholderFormat(sq.Dollar).ToSql()
	if err != nil || q != `SELECT * FROM x WHERE id IN (SELECT "id" FROM "t" WHERE "a" = $1 AND (j ? $2)) AND b = $3` || len(args) != 3 {
		t.Fatalf("squirrel nesting = %q %v %v", q, args, err)
	}
}

func WhereLike() Sqlizer { return Raw("j ?? ?", "k") }

func TestInsertGolden(t *testing.T) {
	runGolden(t, []golden{
		{name: "single", b: Insert("users").Columns("name", "email").Values("a", "b"), sql: `INSERT INTO "users" ("name", "email") VALUES ($1, $2)`, args: []any{"a", "b"}},
		{name: "multi", b: Insert("s.users").Columns("a", "b").Values(1, 2).Values(3, Raw("now()")).Returning("id", "created_at"),
			sql: `INSERT INTO "s"."users" ("a", "b") VALUES ($1, $2), ($3, (now())) RETURNING "id", "created_at"`, args: []any{1, 2, 3}},
		{name: "mismatch", b: Insert("t").Columns("a", "b").Values(1, 2).Values(3), err: ErrColumnCount, msg: "row 2"},
		{name: "mismatch no cols", b: Insert("t").Values(1, 2).Values(3), err: ErrColumnCount},
		{name: "no values", b: Insert("t").Columns("a"), err: ErrIncomplete},
		{name: "empty table", b: Insert("").Columns("a").Values(1), err: ErrEmptyTable, msg: `Insert("")`},
		{name: "setmap", b: Insert("t").SetMap(map[string]any{"b": 2, "a": 1}), sql: `INSERT INTO "t" ("a", "b") VALUES ($1, $2)`, args: []any{1, 2}},
		{name: "do nothing", b: Insert("t").Columns("a").Values(1).OnConflict(AnyConflict(), DoNothing()), sql: `INSERT INTO "t" ("a") VALUES ($1) ON CONFLICT DO NOTHING`, args: []any{1}},
		{name: "do update", b: Insert("t").Columns("email", "name", "n").Values("e", "x", 1).
			OnConflict(ConflictOn("email"), DoUpdate().SetExcluded("name").Set("n", Raw(`"t"."n" + ?`, 1)).Where(Raw(`"t"."name" IS DISTINCT FROM EXCLUDED."name"`))).Returning("id"),
			sql:  `INSERT INTO "t" ("email", "name", "n") VALUES ($1, $2, $3) ON CONFLICT ("email") DO UPDATE SET "name" = EXCLUDED."name", "n" = ("t"."n" + $4) WHERE ("t"."name" IS DISTINCT FROM EXCLUDED."name") RETURNING "id"`,
			args: []any{"e", "x", 1, 1}},
		{name: "on constraint", b: Insert("t").Columns("a").Values(1).OnConflict(ConflictOnConstraint("t_a_key"), DoUpdate().SetExcluded("a")),
			sql: `INSERT INTO "t" ("a") VALUES ($1) ON CONFLICT ON CONSTRAINT "t_a_key" DO UPDATE SET "a" = EXCLUDED."a"`, args: []any{1}},
		{name: "partial index target", b: Insert("t").Columns("a").Values(1).OnConflict(ConflictOn("a").Where(IsNull("deleted_at")), DoNothing()),
			sql: `INSERT INTO "t" ("a") VALUES ($1) ON CONFLICT ("a") WHERE "deleted_at" IS NULL DO NOTHING`, args: []any{1}},
		{name: "update without target", b: Insert("t").Columns("a").Values(1).OnConflict(AnyConflict(), DoUpdate().SetExcluded("a")), err: ErrIncomplete},
		{name: "update without sets", b: Insert("t").Columns("a").Values(1).OnConflict(ConflictOn("a"), DoUpdate()), err: ErrIncomplete},
		{name: "insert select", b: Insert("archive").Columns("id").Select(Select("id").From("t").Where(Lt("at", 5))),
			sql: `INSERT INTO "archive" ("id") SELECT "id" FROM "t" WHERE "at" < $1`, args: []any{5}},
		{name: "default values", b: Insert("t").DefaultValues().Returning("*"), sql: `INSERT INTO "t" DEFAULT VALUES RETURNING *`},
		{name: "subquery value", b: Insert("t").Columns("a").Values(Select("max(a)").From("t")), sql: `INSERT INTO "t" ("a") VALUES ((SELECT "max(a)" FROM "t"))`},
		{name: "with", b: Insert("t").With("src", Select("a").From("s").Where(Eq("x", 1))).Columns("a").Select(Select("a").From("src")),
			sql: `WITH "src" AS (SELECT "a" FROM "s" WHERE "x" = $1) INSERT INTO "t" ("a") SELECT "a" FROM "src"`, args: []any{1}},
		{name: "bad value", b: Insert("t").Columns("a").Values(make(chan int)), err: ErrInvalidValue, msg: "Insert.Values(row 1, value 1)"},
	})
}

func TestUpdateDeleteGolden(t *testing.T) {
	runGolden(t, []golden{
		{name: "update", b: Update("users").Set("name", "x").Set("n", Raw(`"n" + 1`)).Where(Eq("id", 1)).Returning("n"),
			sql: `UPDATE "users" SET "name" = $1, "n" = ("n" + 1) WHERE "id" = $2 RETURNING "n"`, args: []any{"x", 1}},
		{name: "update from", b: Update(As("users", "u")).Set("team", Col("t.name")).From(As("teams", "t")).Where(On("t.id", "u.team_id"), Eq("t.active", true)),
			sql: `UPDATE "users" AS "u" SET "team" = "t"."name" FROM "teams" AS "t" WHERE "t"."id" = "u"."team_id" AND "t"."active" = $1`, args: []any{true}},
		{name: "update subquery set", b: Update("t").Set("n", Select().ColumnRaw("count(*)").From("o").Where(On("o.t_id", "t.id"))).All(),
			sql: `UPDATE "t" SET "n" = (SELECT count(*) FROM "o" WHERE "o"."t_id" = "t"."id")`},
		{name: "update setmap", b: Update("t").SetMap(map[string]any{"b": 2, "a": nil}).WhereNamed("id = :id", map[string]any{"id": 3}),
			sql: `UPDATE "t" SET "a" = $1, "b" = $2 WHERE (id = $3)`, args: []any{nil, 2, 3}},
		{name: "update no where", b: Update("t").Set("a", 1), err: ErrIncomplete, msg: "All()"},
		{name: "update no set", b: Update("t").Where(Eq("a", 1)), err: ErrIncomplete},
		{name: "update empty table", b: Update("").Set("a", 1).All(), err: ErrEmptyTable},
		{name: "update bad col", b: Update("t").Set("", 1).All(), err: ErrInvalidIdentifier, msg: `Update.Set("")`},
		{name: "update with", b: Update("t").With("x", Select("id").From("s")).Set("a", 1).Where(In("id", Select("id").From("x"))),
			sql: `WITH "x" AS (SELECT "id" FROM "s") UPDATE "t" SET "a" = $1 WHERE "id" IN (SELECT "id" FROM "x")`, args: []any{1}},
		{name: "delete", b: Delete("users").Where(Eq("id", 1)).Returning("id"), sql: `DELETE FROM "users" WHERE "id" = $1 RETURNING "id"`, args: []any{1}},
		{name: "delete using", b: Delete(As("orders", "o")).Using(As("users", "u")).Where(On("o.user_id", "u.id"), Eq("u.banned", true)),
			sql: `DELETE FROM "orders" AS "o" USING "users" AS "u" WHERE "o"."user_id" = "u"."id" AND "u"."banned" = $1`, args: []any{true}},
		{name: "delete using subquery", b: Delete("t").Using(As(Select("id").From("s").Where(Gt("x", 1)), "q")).Where(On("t.id", "q.id")).WhereRaw("t.y = ?", 2),
			sql: `DELETE FROM "t" USING (SELECT "id" FROM "s" WHERE "x" > $1) AS "q" WHERE "t"."id" = "q"."id" AND (t.y = $2)`, args: []any{1, 2}},
		{name: "delete all", b: Delete("t").All(), sql: `DELETE FROM "t"`},
		{name: "delete no where", b: Delete("t"), err: ErrIncomplete},
		{name: "delete empty", b: Delete(""), err: ErrEmptyTable},
		{name: "cte with delete returning", b: Select("id").From("gone").With("gone", Delete("t").Where(Lt("at", 1)).Returning("id")),
			sql: `WITH "gone" AS (DELETE FROM "t" WHERE "at" < $1 RETURNING "id") SELECT "id" FROM "gone"`, args: []any{1}},
	})
}

func TestScopes(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no tzdata")
	}
	// 2024-03-31 is 23 hours long in Berlin (DST starts).
	day := time.Date(2024, 3, 31, 15, 0, 0, 0, time.UTC)
	q := Select("id").From("events").Scopes(OnDate("at", day, loc))
	s, args, err := q.ToSQL()
	if err != nil {
		t.Fatal(err)
	}
	if s != `SELECT "id" FROM "events" WHERE "at" >= $1 AND "at" < $2` {
		t.Fatal(s)
	}
	from, to := args[0].(time.Time), args[1].(time.Time)
	if to.Sub(from) != 23*time.Hour || !from.Equal(time.Date(2024, 3, 30, 23, 0, 0, 0, time.UTC)) {
		t.Fatalf("OnDate range %v – %v", from, to)
	}
	a, b := time.Unix(0, 0), time.Unix(100, 0)
	_, args, _ = Select("id").From("e").Scopes(CreatedBetween("created_at", a, b)).ToSQL()
	if !args[0].(time.Time).Equal(a) || !args[1].(time.Time).Equal(b) {
		t.Fatal(args)
	}
	now := time.Unix(1000, 0)
	s, args, _ = Select("id").From("e").Scopes(LastNAt("at", time.Minute, now), nil).ToSQL()
	if s != `SELECT "id" FROM "e" WHERE "at" >= $1 AND "at" < $2` || !args[0].(time.Time).Equal(time.Unix(940, 0)) {
		t.Fatal(s, args)
	}
	if _, _, err := Select("id").From("e").Scopes(OnDate("at", day, nil)).ToSQL(); !errors.Is(err, ErrInvalidValue) {
		t.Fatal(err)
	}
	if _, _, err := Select("id").From("e").Scopes(LastN("at", -time.Second)).ToSQL(); !errors.Is(err, ErrInvalidValue) {
		t.Fatal(err)
	}
	tenant := func(id int) Scope { return func(b SelectBuilder) SelectBuilder { return b.Where(Eq("tenant_id", id)) } }
	s, _, _ = Select("id").From("e").Scopes(tenant(7), LastN("at", time.Hour)).ToSQL()
	if s != `SELECT "id" FROM "e" WHERE "tenant_id" = $1 AND "at" >= $2 AND "at" < $3` {
		t.Fatal(s)
	}
}

func TestParseSort(t *testing.T) {
	allowed := map[string]string{"name": "u.name", "created": "u.created_at"}
	keys, err := ParseSort("-created, +name", allowed)
	if err != nil || len(keys) != 2 || keys[0] != Desc("u.created_at") || keys[1] != Asc("u.name") {
		t.Fatal(keys, err)
	}
	if _, err := ParseSort("password", allowed); !errors.Is(err, ErrInvalidIdentifier) {
		t.Fatal(err)
	}
	if _, err := ParseSort("-", allowed); err == nil {
		t.Fatal("empty field accepted")
	}
	keys, _ = ParseSort("", allowed, Asc("id"))
	if len(keys) != 1 || keys[0] != Asc("id") {
		t.Fatal(keys)
	}
}

func TestEscapeLike(t *testing.T) {
	for in, want := range map[string]string{"abc": "abc", "50%": `50\%`, "a_b": `a\_b`, `c:\`: `c:\\`} {
		if got := EscapeLike(in); got != want {
			t.Errorf("EscapeLike(%q) = %q, want %q", in, got, want)
		}
	}
}
