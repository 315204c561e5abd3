package sqlb

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	sq "github.com/Masterminds/squirrel"
)

// questionSqlizer is squirrel's interface, spelled out: the method a
// one-letter slip (ToSql for ToSQL) would call.
type questionSqlizer interface {
	ToSql() (string, []any, error)
}

// TestBuildersHaveNoToSql: a builder has only ToSQL ($n), so no slip can
// send ? placeholders to PostgreSQL; its squirrel view (Squirrel) is the
// one way to the ? form, and it renders ? for squirrel to number.
func TestBuildersHaveNoToSql(t *testing.T) {
	t.Parallel()
	sqlizer := reflect.TypeOf((*questionSqlizer)(nil)).Elem()
	sub := Select("id").From("users").Where(Eq("team", 7))
	cases := []struct {
		name    string
		b       any
		adapter SquirrelSqlizer
		want    string
	}{
		{"select", sub, sub.Squirrel(), `SELECT "id" FROM "users" WHERE "team" = ?`},
		{"insert", Insert("t").Columns("a").Values(1), Insert("t").Columns("a").Values(1).Squirrel(), `INSERT INTO "t" ("a") VALUES (?)`},
		{"update", Update("t").Set("a", 1).Where(Eq("b", 2)), Update("t").Set("a", 1).Where(Eq("b", 2)).Squirrel(), `UPDATE "t" SET "a" = ? WHERE "b" = ?`},
		{"delete", Delete("t").Where(Eq("b", 2)), Delete("t").Where(Eq("b", 2)).Squirrel(), `DELETE FROM "t" WHERE "b" = ?`},
	}
	for _, c := range cases {
		if reflect.TypeOf(c.b).Implements(sqlizer) {
			t.Errorf("%s: %T has a ToSql method (the ? form one slip away from ToSQL)", c.name, c.b)
		}
		var s sq.Sqlizer = c.adapter // compile-time: the adapter is squirrel's Sqlizer
		got, _, err := s.ToSql()
		if err != nil || got != c.want {
			t.Errorf("%s: Squirrel().ToSql() = %q, %v; want %q", c.name, got, err, c.want)
		}
	}

	// Nested in squirrel, which numbers the placeholders once.
	q, args, err := sq.Select("*").From("x").Where(sq.Expr("id IN (?)", sub.Squirrel())).Where("b = ?", 2).PlaceholderFormat(sq.Dollar).ToSql()
	if err != nil || q != `SELECT * FROM x WHERE id IN (SELECT "id" FROM "users" WHERE "team" = $1) AND b = $2` || !reflect.DeepEqual(args, []any{7, 2}) {
		t.Fatalf("squirrel nesting = %q %v %v", q, args, err)
	}
	if _, _, err := (SquirrelSqlizer{}).ToSql(); !errors.Is(err, ErrIncomplete) {
		t.Fatalf("zero SquirrelSqlizer: %v", err)
	}
}

// TestBuildersStillNest: without ToSql a builder still nests anywhere sqlb
// takes a subquery, numbered once with the outer statement; so does its
// squirrel view. Anything else is an error, never a bound parameter.
func TestBuildersStillNest(t *testing.T) {
	t.Parallel()
	sub := Select("id").From("users").Where(Eq("team", 7))
	cases := []struct {
		name string
		b    interface{ ToSQL() (string, []any, error) }
		want string
	}{
		{"In", Select("a").From("t").Where(In("id", sub), Eq("b", 1)), `SELECT "a" FROM "t" WHERE "id" IN (SELECT "id" FROM "users" WHERE "team" = $1) AND "b" = $2`},
		{"Exists", Select("a").From("t").Where(Exists(sub)), `SELECT "a" FROM "t" WHERE EXISTS (SELECT "id" FROM "users" WHERE "team" = $1)`},
		{"From", Select("s.id").From(As(sub, "s")), `SELECT "s"."id" FROM (SELECT "id" FROM "users" WHERE "team" = $1) AS "s"`},
		{"With", Select("id").From("u").With("u", sub), `WITH "u" AS (SELECT "id" FROM "users" WHERE "team" = $1) SELECT "id" FROM "u"`},
		{"Insert.Select", Insert("t").Columns("id").Select(sub), `INSERT INTO "t" ("id") SELECT "id" FROM "users" WHERE "team" = $1`},
		{"Raw argument", Select().ColumnRaw("EXISTS (?)", sub), `SELECT EXISTS (SELECT "id" FROM "users" WHERE "team" = $1)`},
		{"value", Update("t").Set("n", Select("count(*)").From("u")).Where(Eq("id", 1)), `UPDATE "t" SET "n" = (SELECT "count(*)" FROM "u") WHERE "id" = $1`},
		{"squirrel view", Select("a").From("t").Where(Exists(sub.Squirrel())), `SELECT "a" FROM "t" WHERE EXISTS (SELECT "id" FROM "users" WHERE "team" = $1)`},
	}
	for _, c := range cases {
		got, _, err := c.b.ToSQL()
		if err != nil || got != c.want {
			t.Errorf("%s: %q, %v\nwant %q", c.name, got, err, c.want)
		}
	}
	if _, _, err := Select("a").From("t").Where(Exists(42)).ToSQL(); !errors.Is(err, ErrInvalidValue) || !strings.Contains(err.Error(), "int") {
		t.Fatalf("Exists(42): %v", err)
	}
}
