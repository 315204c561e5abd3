package sqlb

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	sq "github.com/Masterminds/squirrel"
)

type toSQLer interface {
	ToSQL() (string, []any, error)
}

// golden is one case of a statement table. A case without err expects the
// statement and arguments in its golden file (see goldenfile_test.go); a
// case with err expects ToSQL to fail with it.
type golden struct {
	name string
	b    toSQLer
	err  error // sentinel; when set, the case has no golden file
	msg  string
}

// runGolden runs a table of cases in parallel; group names the directory
// of the table's golden files under testdata/golden.
func runGolden(t *testing.T, group string, cases []golden) {
	t.Helper()
	dir := goldenDir(group)
	files := map[string]bool{}
	names := map[string]string{}
	for _, c := range cases {
		file := goldenName(c.name)
		if other, dup := names[file]; dup {
			t.Fatalf("cases %q and %q share the golden file %s", other, c.name, file)
		}
		names[file] = c.name
		if c.err == nil {
			files[file] = true
		}
	}
	checkGoldenDir(t, dir, files)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
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
			checkGolden(t, filepath.Join(dir, goldenName(c.name)), formatGolden(got, args))
		})
	}
}

func TestSelectGolden(t *testing.T) {
	t.Parallel()
	users := Select("id", "name").From("users")
	runGolden(t, "select", []golden{
		{name: "simple", b: users},
		{name: "star", b: Select("*").From("public.users")},
		{name: "qualified star", b: Select("u.*").From(As("users", "u"))},
		{name: "quoted part", b: Select(`public."my.table".id`).From(`public."my.table"`)},
		{name: "case kept", b: Select("UserName").From("Users")},
		{name: "embedded quote", b: Select(`"we""ird"`).From("t")},
		{name: "bare quote rejected", b: Select(`we"ird`).From("t"), err: ErrInvalidIdentifier},
		{name: "injection in column is an identifier", b: Select("id; DROP TABLE users; --").From("t")},
		{name: "where eq", b: users.Where(Eq("id", 7))},
		{name: "where and", b: users.Where(Eq("a", 1)).Where(Ne("b", 2), Gt("c", 3), Ge("d", 4), Lt("e", 5), Le("f", 6))},
		{name: "nil eq", b: users.Where(Eq("deleted_at", nil), Ne("email", nil))},
		{name: "nil where ignored", b: users.Where(nil)},
		{name: "in slice", b: users.Where(In("id", []int64{1, 2, 3}))},
		{name: "not in slice", b: users.Where(NotIn("id", []string{"a"}))},
		{name: "in empty", b: users.Where(In("id", []int{}))},
		{name: "in nil slice", b: users.Where(In("id", []int(nil)))},
		{name: "not in empty", b: users.Where(NotIn("id", []int{}))},
		{name: "not of in empty", b: users.Where(Not(In("id", []int{})))},
		{name: "in array", b: users.Where(In("id", [2]int{1, 2}))},
		{name: "in scalar", b: users.Where(In("id", 5)), err: ErrInvalidValue, msg: `In("id")`},
		{name: "in bytes", b: users.Where(In("id", []byte("x"))), err: ErrInvalidValue},
		{name: "in subquery", b: users.Where(In("id", Select("user_id").From("orders").Where(Gt("total", 100))))},
		{name: "like", b: users.Where(Like("name", "a%"), ILike("name", "%B"), NotLike("x", "y"), NotILike("x", "z"))},
		{name: "null checks", b: users.Where(IsNull("a"), NotNull("b"))},
		{name: "between", b: users.Where(Between("age", 18, 65))},
		{name: "and or not", b: users.Where(Or(And(Eq("a", 1), Eq("b", 2)), Not(Eq("c", 3))))},
		{name: "empty and or", b: users.Where(And(), Or())},
		{name: "raw is parenthesized", b: users.WhereRaw("a = ? OR b = ?", 1, 2).Where(Eq("c", 3))},
		{name: "raw in or", b: users.Where(Or(Raw("x = ?", 1), Raw("y = ?", 2)))},
		{name: "squirrel condition", b: users.Where(sq.Eq{"a": 1}, sq.Or{sq.Gt{"b": 2}, sq.Expr("c = ?", 3)})},
		{name: "squirrel builder subquery with dollar format", b: users.Where(In("id", sq.Select("x").From("y").Where("z = ?", 1).PlaceholderFormat(sq.Dollar))).Where(Eq("w", 2))},
		{name: "compare columns", b: users.Where(Eq("a.x", Col("b.y")))},
		{name: "scalar subquery value", b: users.Where(Gt("score", Select().ColumnRaw("avg(score)").From("users")))},
		{name: "exists", b: users.Where(Exists(Select("1").From("orders").Where(On("orders.user_id", "users.id"))), NotExists(Select("1").From("bans")))},
		{name: "joins", b: Select("u.id").From(As("users", "u")).
			Join(As("orders", "o"), On("o.user_id", "u.id")).
			LeftJoin(As("profiles", "p"), And(On("p.user_id", "u.id"), Eq("p.kind", "main"))).
			RightJoin("teams", On("teams.id", "u.team_id")).
			FullJoin("x", On("x.id", "u.id")).
			CrossJoin("y").
			JoinRaw("LEFT JOIN LATERAL (SELECT 1 WHERE ?) z ON true", true)},
		{name: "join subquery", b: Select("u.id", "t.n").From(As("users", "u")).Join(As(Select("user_id").ColumnRaw("count(*) AS n").From("orders").Where(Gt("total", 5)).GroupBy("user_id"), "t"), On("t.user_id", "u.id")).Where(Eq("u.active", true))},
		{name: "from subquery", b: Select("n").From(As(Select("id").From("t").Where(Eq("a", 1)), "s")).Where(Eq("b", 2))},
		{name: "from raw", b: Select("n").FromRaw("generate_series(1, ?) AS g(n)", 3)},
		{name: "column expressions", b: Select("id").Column(As(Raw("count(*)"), "n")).Column(As("name", "user_name")).ColumnRaw("coalesce(x, ?) AS y", 0).Column(Select("1").From("z")).From("t")},
		{name: "group having", b: Select("team").ColumnRaw("count(*)").From("users").GroupBy("team").Having(Raw("count(*) > ?", 5)).HavingRaw("sum(x) < ?", 10)},
		{name: "distinct", b: Select("a").Distinct().From("t")},
		{name: "distinct on", b: Select("a", "b").DistinctOn("a").From("t").OrderBy(Asc("a"), Desc("b"))},
		{name: "order nulls", b: users.OrderBy(Desc("x").NullsLast(), Asc("y").NullsFirst()).OrderByRaw("similarity(name, ?) DESC", "bob")},
		{name: "limit offset are params", b: users.Limit(10).Offset(20)},
		{name: "limit zero", b: users.Limit(0)},
		{name: "negative limit", b: users.Limit(-1), err: ErrInvalidValue, msg: "Select.Limit(-1)"},
		{name: "negative offset", b: users.Offset(-5), err: ErrInvalidValue, msg: "Select.Offset(-5)"},
		{name: "locks", b: users.Where(Eq("id", 1)).ForUpdate(NoWait)},
		{name: "lock skip of", b: Select("j.id").From(As("jobs", "j")).OrderBy(Asc("j.id")).Limit(1).ForUpdate(Of("j"), SkipLocked)},
		{name: "share locks", b: users.ForShare().ForKeyShare(NoWait).ForNoKeyUpdate()},
		{name: "cte numbering", b: Select("*").From("recent").
			With("recent", Select("id").From("posts").Where(Gt("at", 1))).
			With("top", Select("id").From("recent").Where(Lt("score", 2)), "id").
			Where(In("id", Select("id").From("top").Where(Eq("x", 3)))).Limit(4)},
		{name: "recursive cte", b: Select("n").From("t").WithRecursive("t", Raw("SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < ?", 5), "n")},
		{name: "raw with subquery arg", b: Select("id").From("t").Where(Raw("EXISTS (?) OR x = ?", Select("1").From("u").Where(Eq("a", 1)), 2))},
		{name: "no columns", b: Select().From("t"), err: ErrIncomplete},
		{name: "empty from", b: Select("a").From(""), err: ErrInvalidIdentifier, msg: "Select.From"},
		{name: "nul column", b: Select("a\x00b").From("t"), err: ErrInvalidIdentifier, msg: `Select.Columns("a\x00b")`},
		{name: "bad order column", b: users.OrderBy(Asc("")), err: ErrInvalidIdentifier},
		{name: "unsupported value", b: users.Where(Eq("a", func() {})), err: ErrInvalidValue, msg: `Eq("a")`},
		{name: "nil gt", b: users.Where(Gt("a", nil)), err: ErrInvalidValue},
		{name: "raw placeholder mismatch", b: users.WhereRaw("a = ? AND b = ?", 1), err: ErrPlaceholders, msg: "Select.WhereRaw"},
		{name: "raw positional rejected", b: users.WhereRaw("a = $1", 1), err: ErrPlaceholders},
		{name: "long identifier", b: Select(strings.Repeat("a", 64)).From("t"), err: ErrInvalidIdentifier},
		{name: "too long is 64, 63 ok", b: Select(strings.Repeat("a", 63)).From("t")},
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
	s, args, err := sub.Squirrel().ToSql()
	if err != nil || s != `SELECT "id" FROM "t" WHERE "a" = ? AND (j ?? ?)` || len(args) != 2 {
		t.Fatalf("ToSql = %q %v %v", s, args, err)
	}
	// Squirrel can consume it and number it itself.
	q, args, err := sq.Select("*").From("x").Where(sq.Expr("id IN (?)", sub.Squirrel())).Where("b = ?", 2).PlaceholderFormat(sq.Dollar).ToSql()
	if err != nil || q != `SELECT * FROM x WHERE id IN (SELECT "id" FROM "t" WHERE "a" = $1 AND (j ? $2)) AND b = $3` || len(args) != 3 {
		t.Fatalf("squirrel nesting = %q %v %v", q, args, err)
	}
}

func WhereLike() Sqlizer { return Raw("j ?? ?", "k") }

func TestInsertGolden(t *testing.T) {
	t.Parallel()
	runGolden(t, "insert", []golden{
		{name: "single", b: Insert("users").Columns("name", "email").Values("a", "b")},
		{name: "multi", b: Insert("s.users").Columns("a", "b").Values(1, 2).Values(3, Raw("now()")).Returning("id", "created_at")},
		{name: "mismatch", b: Insert("t").Columns("a", "b").Values(1, 2).Values(3), err: ErrColumnCount, msg: "row 2"},
		{name: "mismatch no cols", b: Insert("t").Values(1, 2).Values(3), err: ErrColumnCount},
		{name: "no values", b: Insert("t").Columns("a"), err: ErrIncomplete},
		{name: "empty table", b: Insert("").Columns("a").Values(1), err: ErrEmptyTable, msg: `Insert("")`},
		{name: "setmap", b: Insert("t").SetMap(map[string]any{"b": 2, "a": 1})},
		{name: "do nothing", b: Insert("t").Columns("a").Values(1).OnConflict(AnyConflict(), DoNothing())},
		{name: "do update", b: Insert("t").Columns("email", "name", "n").Values("e", "x", 1).
			OnConflict(ConflictOn("email"), DoUpdate().SetExcluded("name").Set("n", Raw(`"t"."n" + ?`, 1)).Where(Raw(`"t"."name" IS DISTINCT FROM EXCLUDED."name"`))).Returning("id")},
		{name: "on constraint", b: Insert("t").Columns("a").Values(1).OnConflict(ConflictOnConstraint("t_a_key"), DoUpdate().SetExcluded("a"))},
		{name: "partial index target", b: Insert("t").Columns("a").Values(1).OnConflict(ConflictOn("a").Where(IsNull("deleted_at")), DoNothing())},
		{name: "update without target", b: Insert("t").Columns("a").Values(1).OnConflict(AnyConflict(), DoUpdate().SetExcluded("a")), err: ErrIncomplete},
		{name: "update without sets", b: Insert("t").Columns("a").Values(1).OnConflict(ConflictOn("a"), DoUpdate()), err: ErrIncomplete},
		{name: "insert select", b: Insert("archive").Columns("id").Select(Select("id").From("t").Where(Lt("at", 5)))},
		{name: "default values", b: Insert("t").DefaultValues().Returning("*")},
		{name: "subquery value", b: Insert("t").Columns("a").Values(Select("max(a)").From("t"))},
		{name: "with", b: Insert("t").With("src", Select("a").From("s").Where(Eq("x", 1))).Columns("a").Select(Select("a").From("src"))},
		{name: "bad value", b: Insert("t").Columns("a").Values(make(chan int)), err: ErrInvalidValue, msg: "Insert.Values(row 1, value 1)"},
	})
}

func TestUpdateDeleteGolden(t *testing.T) {
	t.Parallel()
	runGolden(t, "update_delete", []golden{
		{name: "update", b: Update("users").Set("name", "x").Set("n", Raw(`"n" + 1`)).Where(Eq("id", 1)).Returning("n")},
		{name: "update from", b: Update(As("users", "u")).Set("team", Col("t.name")).From(As("teams", "t")).Where(On("t.id", "u.team_id"), Eq("t.active", true))},
		{name: "update subquery set", b: Update("t").Set("n", Select().ColumnRaw("count(*)").From("o").Where(On("o.t_id", "t.id"))).All()},
		{name: "update setmap", b: Update("t").SetMap(map[string]any{"b": 2, "a": nil}).WhereNamed("id = :id", map[string]any{"id": 3})},
		{name: "update no where", b: Update("t").Set("a", 1), err: ErrIncomplete, msg: "All()"},
		{name: "update no set", b: Update("t").Where(Eq("a", 1)), err: ErrIncomplete},
		{name: "update empty table", b: Update("").Set("a", 1).All(), err: ErrEmptyTable},
		{name: "update bad col", b: Update("t").Set("", 1).All(), err: ErrInvalidIdentifier, msg: `Update.Set("")`},
		{name: "update with", b: Update("t").With("x", Select("id").From("s")).Set("a", 1).Where(In("id", Select("id").From("x")))},
		{name: "delete", b: Delete("users").Where(Eq("id", 1)).Returning("id")},
		{name: "delete using", b: Delete(As("orders", "o")).Using(As("users", "u")).Where(On("o.user_id", "u.id"), Eq("u.banned", true))},
		{name: "delete using subquery", b: Delete("t").Using(As(Select("id").From("s").Where(Gt("x", 1)), "q")).Where(On("t.id", "q.id")).WhereRaw("t.y = ?", 2)},
		{name: "delete all", b: Delete("t").All()},
		{name: "delete no where", b: Delete("t"), err: ErrIncomplete},
		{name: "delete empty", b: Delete(""), err: ErrEmptyTable},
		{name: "cte with delete returning", b: Select("id").From("gone").With("gone", Delete("t").Where(Lt("at", 1)).Returning("id"))},
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
