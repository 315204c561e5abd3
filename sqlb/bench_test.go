package sqlb

import (
	"testing"
	"time"

	sq "github.com/Masterminds/squirrel"
)

// Each benchmark builds the same statement with sqlb and with squirrel used
// directly (Dollar placeholders), in the same run: compare the /sqlb and
// /squirrel sub-benchmarks.

var benchSink string

var psql = sq.StatementBuilder.PlaceholderFormat(sq.Dollar)

// benchStatement measures building one statement per iteration.
func benchStatement(build func() (string, []any, error)) func(*testing.B) {
	return func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			s, _, err := build()
			if err != nil {
				b.Fatal(err)
			}
			benchSink = s
		}
	}
}

func BenchmarkSimpleSelect(b *testing.B) {
	b.Run("sqlb", benchStatement(func() (string, []any, error) {
		return Select("id", "name", "email").From("users").
			Where(Eq("status", "active"), Gt("age", 18), Like("name", "a%")).
			OrderBy(Desc("created_at")).Limit(20).ToSQL()
	}))
	b.Run("squirrel", benchStatement(func() (string, []any, error) {
		return psql.Select("id", "name", "email").From("users").
			Where(sq.Eq{"status": "active"}).Where(sq.Gt{"age": 18}).Where(sq.Like{"name": "a%"}).
			OrderBy("created_at DESC").Limit(20).ToSql()
	}))
}

func BenchmarkInsert(b *testing.B) {
	now := time.Now()
	b.Run("sqlb", benchStatement(func() (string, []any, error) {
		return Insert("users").Columns("name", "email", "age", "active", "created_at").
			Values("ann", "ann@example.com", 30, true, now).Returning("id").ToSQL()
	}))
	b.Run("squirrel", benchStatement(func() (string, []any, error) {
		return psql.Insert("users").Columns("name", "email", "age", "active", "created_at").
			Values("ann", "ann@example.com", 30, true, now).Suffix("RETURNING id").ToSql()
	}))
}

func BenchmarkUpdate(b *testing.B) {
	b.Run("sqlb", benchStatement(func() (string, []any, error) {
		return Update("users").Set("name", "ann").Set("email", "ann@example.com").Set("age", 31).
			Where(Eq("id", 7)).ToSQL()
	}))
	b.Run("squirrel", benchStatement(func() (string, []any, error) {
		return psql.Update("users").Set("name", "ann").Set("email", "ann@example.com").Set("age", 31).
			Where(sq.Eq{"id": 7}).ToSql()
	}))
}

func BenchmarkUpsert(b *testing.B) {
	b.Run("sqlb", benchStatement(func() (string, []any, error) {
		return Insert("users").Columns("email", "name", "age").Values("ann@example.com", "ann", 30).
			OnConflict(ConflictOn("email"), DoUpdate().SetExcluded("name", "age")).Returning("id").ToSQL()
	}))
	b.Run("squirrel", benchStatement(func() (string, []any, error) {
		return psql.Insert("users").Columns("email", "name", "age").Values("ann@example.com", "ann", 30).
			Suffix("ON CONFLICT (email) DO UPDATE SET name = EXCLUDED.name, age = EXCLUDED.age RETURNING id").ToSql()
	}))
}

func BenchmarkSelectSubquery(b *testing.B) {
	b.Run("sqlb", benchStatement(func() (string, []any, error) {
		sub := Select("user_id").From("orders").Where(Gt("total", 100))
		return Select("id", "name").From("users").Where(In("id", sub), Eq("active", true)).Limit(10).ToSQL()
	}))
	b.Run("squirrel", benchStatement(func() (string, []any, error) {
		sub := sq.Select("user_id").From("orders").Where(sq.Gt{"total": 100})
		return psql.Select("id", "name").From("users").Where(sq.Expr("id IN (?)", sub)).
			Where(sq.Eq{"active": true}).Limit(10).ToSql()
	}))
}

type benchUser struct {
	ID        int64     `db:"id" norm:"pk,identity"`
	Email     string    `db:"email" norm:"unique"`
	Name      string    `db:"name"`
	Age       int       `db:"age"`
	Active    bool      `db:"active"`
	Version   int       `db:"version" norm:"version"`
	UpdatedAt time.Time `db:"updated_at" norm:"on_update:now()"`
}

func BenchmarkInsertStruct(b *testing.B) {
	u := &benchUser{Email: "ann@example.com", Name: "ann", Age: 30, Active: true}
	b.Run("sqlb", benchStatement(func() (string, []any, error) {
		return InsertStruct(u).ToSQL()
	}))
	b.Run("squirrel", benchStatement(func() (string, []any, error) {
		return psql.Insert("bench_users").Columns("email", "name", "age", "active", "version", "updated_at").
			Values(u.Email, u.Name, u.Age, u.Active, u.Version, u.UpdatedAt).Suffix("RETURNING id").ToSql()
	}))
}

func BenchmarkUpdateStructByPK(b *testing.B) {
	u := &benchUser{ID: 7, Email: "ann@example.com", Name: "ann", Age: 30, Active: true, Version: 3}
	b.Run("sqlb", benchStatement(func() (string, []any, error) {
		return UpdateStructByPK(u).ToSQL()
	}))
	b.Run("squirrel", benchStatement(func() (string, []any, error) {
		return psql.Update("bench_users").Set("email", u.Email).Set("name", u.Name).Set("age", u.Age).
			Set("active", u.Active).Set("version", sq.Expr("version + 1")).Set("updated_at", sq.Expr("now()")).
			Where(sq.Eq{"id": u.ID, "version": u.Version}).Suffix("RETURNING version, updated_at").ToSql()
	}))
}

func BenchmarkUpsertStruct(b *testing.B) {
	u := &benchUser{Email: "ann@example.com", Name: "ann", Age: 30, Active: true}
	b.Run("sqlb", benchStatement(func() (string, []any, error) {
		return UpsertStruct(u, []string{"email"}, []string{"name", "age"}).ToSQL()
	}))
	b.Run("squirrel", benchStatement(func() (string, []any, error) {
		return psql.Insert("bench_users").Columns("email", "name", "age", "active", "version", "updated_at").
			Values(u.Email, u.Name, u.Age, u.Active, u.Version, u.UpdatedAt).
			Suffix(`ON CONFLICT (email) DO UPDATE SET name = EXCLUDED.name, age = EXCLUDED.age, version = bench_users.version + 1, updated_at = now() RETURNING id, version`).ToSql()
	}))
}
