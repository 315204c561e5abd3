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

func BenchmarkSimpleSelect(b *testing.B) {
	b.Run("sqlb", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			s, _, err := Select("id", "name", "email").From("users").
				Where(Eq("status", "active"), Gt("age", 18), Like("name", "a%")).
				OrderBy(Desc("created_at")).Limit(20).ToSQL()
			if err != nil {
				b.Fatal(err)
			}
			benchSink = s
		}
	})
	b.Run("squirrel", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			s, _, err := psql.Select("id", "name", "email").From("users").
				Where(sq.Eq{"status": "active"}).Where(sq.Gt{"age": 18}).Where(sq.Like{"name": "a%"}).
				OrderBy("created_at DESC").Limit(20).ToSql()
			if err != nil {
				b.Fatal(err)
			}
			benchSink = s
		}
	})
}

func BenchmarkInsert(b *testing.B) {
	now := time.Now()
	b.Run("sqlb", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			s, _, err := Insert("users").Columns("name", "email", "age", "active", "created_at").
				Values("ann", "ann@example.com", 30, true, now).Returning("id").ToSQL()
			if err != nil {
				b.Fatal(err)
			}
			benchSink = s
		}
	})
	b.Run("squirrel", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			s, _, err := psql.Insert("users").Columns("name", "email", "age", "active", "created_at").
				Values("ann", "ann@example.com", 30, true, now).Suffix("RETURNING id").ToSql()
			if err != nil {
				b.Fatal(err)
			}
			benchSink = s
		}
	})
}

func BenchmarkUpdate(b *testing.B) {
	b.Run("sqlb", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			s, _, err := Update("users").Set("name", "ann").Set("email", "ann@example.com").Set("age", 31).
				Where(Eq("id", 7)).ToSQL()
			if err != nil {
				b.Fatal(err)
			}
			benchSink = s
		}
	})
	b.Run("squirrel", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			s, _, err := psql.Update("users").Set("name", "ann").Set("email", "ann@example.com").Set("age", 31).
				Where(sq.Eq{"id": 7}).ToSql()
			if err != nil {
				b.Fatal(err)
			}
			benchSink = s
		}
	})
}

func BenchmarkUpsert(b *testing.B) {
	b.Run("sqlb", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			s, _, err := Insert("users").Columns("email", "name", "age").Values("ann@example.com", "ann", 30).
				OnConflict(ConflictOn("email"), DoUpdate().SetExcluded("name", "age")).Returning("id").ToSQL()
			if err != nil {
				b.Fatal(err)
			}
			benchSink = s
		}
	})
	b.Run("squirrel", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			s, _, err := psql.Insert("users").Columns("email", "name", "age").Values("ann@example.com", "ann", 30).
				Suffix("ON CONFLICT (email) DO UPDATE SET name = EXCLUDED.name, age = EXCLUDED.age RETURNING id").ToSql()
			if err != nil {
				b.Fatal(err)
			}
			benchSink = s
		}
	})
}

func BenchmarkSelectSubquery(b *testing.B) {
	b.Run("sqlb", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			sub := Select("user_id").From("orders").Where(Gt("total", 100))
			s, _, err := Select("id", "name").From("users").Where(In("id", sub), Eq("active", true)).Limit(10).ToSQL()
			if err != nil {
				b.Fatal(err)
			}
			benchSink = s
		}
	})
	b.Run("squirrel", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			sub := sq.Select("user_id").From("orders").Where(sq.Gt{"total": 100})
			s, _, err := psql.Select("id", "name").From("users").Where(sq.Expr("id IN (?)", sub)).
				Where(sq.Eq{"active": true}).Limit(10).ToSql()
			if err != nil {
				b.Fatal(err)
			}
			benchSink = s
		}
	})
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
	b.Run("sqlb", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			s, _, err := InsertStruct(u).ToSQL()
			if err != nil {
				b.Fatal(err)
			}
			benchSink = s
		}
	})
	b.Run("squirrel", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			s, _, err := psql.Insert("bench_users").Columns("email", "name", "age", "active", "version", "updated_at").
				Values(u.Email, u.Name, u.Age, u.Active, u.Version, u.UpdatedAt).Suffix("RETURNING id").ToSql()
			if err != nil {
				b.Fatal(err)
			}
			benchSink = s
		}
	})
}

func BenchmarkUpdateStructByPK(b *testing.B) {
	u := &benchUser{ID: 7, Email: "ann@example.com", Name: "ann", Age: 30, Active: true, Version: 3}
	b.Run("sqlb", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			s, _, err := UpdateStructByPK(u).ToSQL()
			if err != nil {
				b.Fatal(err)
			}
			benchSink = s
		}
	})
	b.Run("squirrel", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			s, _, err := psql.Update("bench_users").Set("email", u.Email).Set("name", u.Name).Set("age", u.Age).
				Set("active", u.Active).Set("version", sq.Expr("version + 1")).Set("updated_at", sq.Expr("now()")).
				Where(sq.Eq{"id": u.ID, "version": u.Version}).Suffix("RETURNING version, updated_at").ToSql()
			if err != nil {
				b.Fatal(err)
			}
			benchSink = s
		}
	})
}

func BenchmarkUpsertStruct(b *testing.B) {
	u := &benchUser{Email: "ann@example.com", Name: "ann", Age: 30, Active: true}
	b.Run("sqlb", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			s, _, err := UpsertStruct(u, []string{"email"}, []string{"name", "age"}).ToSQL()
			if err != nil {
				b.Fatal(err)
			}
			benchSink = s
		}
	})
	b.Run("squirrel", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			s, _, err := psql.Insert("bench_users").Columns("email", "name", "age", "active", "version", "updated_at").
				Values(u.Email, u.Name, u.Age, u.Active, u.Version, u.UpdatedAt).
				Suffix(`ON CONFLICT (email) DO UPDATE SET name = EXCLUDED.name, age = EXCLUDED.age, version = bench_users.version + 1, updated_at = now() RETURNING id, version`).ToSql()
			if err != nil {
				b.Fatal(err)
			}
			benchSink = s
		}
	})
}
