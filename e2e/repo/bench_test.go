package repo

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/normkit/norm/repo"
	"github.com/normkit/norm/sqlb"
)

// Account is the benchmark model: no version, no soft delete, so the repo
// and the hand-written pgx code run the very same SQL.
type Account struct {
	ID        int64     `db:"id" norm:"pk"`
	Email     string    `db:"email"`
	Name      string    `db:"name"`
	Active    bool      `db:"active"`
	Score     int32     `db:"score"`
	CreatedAt time.Time `db:"created_at"`
}

const accountsDDL = `CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL, name text NOT NULL,
	active boolean NOT NULL, score int NOT NULL, created_at timestamptz NOT NULL);
	INSERT INTO accounts SELECT g, 'u' || g || '@x', 'name ' || g, g % 2 = 0, g, now() FROM generate_series(1, 2000) g`

// Hand-written statements, identical to the ones repo sends.
const (
	sqlFind    = `SELECT "id", "email", "name", "active", "score", "created_at" FROM "accounts" WHERE "id" = $1`
	sqlList    = `SELECT "accounts"."id", "accounts"."email", "accounts"."name", "accounts"."active", "accounts"."score", "accounts"."created_at" FROM "accounts" WHERE "id" <= $1`
	sqlInsert  = `INSERT INTO "accounts" ("id", "email", "name", "active", "score", "created_at") VALUES ($1, $2, $3, $4, $5, $6)`
	sqlUpdate  = `UPDATE "accounts" SET "email" = $1, "name" = $2, "active" = $3, "score" = $4, "created_at" = $5 WHERE "id" = $6`
	sqlUpsert  = `INSERT INTO "accounts" ("id", "email", "name", "active", "score", "created_at") VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT ("id") DO UPDATE SET "email" = EXCLUDED."email", "name" = EXCLUDED."name", "active" = EXCLUDED."active", "score" = EXCLUDED."score", "created_at" = EXCLUDED."created_at" RETURNING "id", "email", "name", "active", "score", "created_at"`
	benchCopyN = 10000
)

func benchSetup(b *testing.B) (*pgx.Conn, *repo.Repository[Account]) {
	b.Helper()
	conn := cluster.NewDatabase(b).Conn(b)
	if _, err := conn.Exec(context.Background(), accountsDDL); err != nil {
		b.Fatal(err)
	}
	r, err := repo.New[Account](conn)
	if err != nil {
		b.Fatal(err)
	}
	return conn, r
}

// BenchmarkRepoVsPgx runs each operation through the repository and
// through hand-written pgx on the same connection, one after the other in
// one run. Writes spread over 2,000 rows so neither side pays for the
// other's dead tuples. For figures, interleave whole runs:
//
//	for i in 1 2 3 4 5; do go test -run '^$' -bench RepoVsPgx -benchmem -count 1 ./repo/; done
func BenchmarkRepoVsPgx(b *testing.B) {
	ctx := context.Background()
	conn, r := benchSetup(b)

	b.Run("FindByID", func(b *testing.B) {
		b.Run("pgx", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				var a Account
				if err := conn.QueryRow(ctx, sqlFind, int64(i%2000+1)).Scan(&a.ID, &a.Email, &a.Name, &a.Active, &a.Score, &a.CreatedAt); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("repo", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if _, err := r.FindByID(ctx, int64(i%2000+1)); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
	for _, n := range []int64{100, 1000} {
		b.Run(fmt.Sprintf("Find%d", n), func(b *testing.B) {
			b.Run("pgx", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					rows, _ := conn.Query(ctx, sqlList, n)
					out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Account, error) {
						var a Account
						err := row.Scan(&a.ID, &a.Email, &a.Name, &a.Active, &a.Score, &a.CreatedAt)
						return a, err
					})
					if err != nil || int64(len(out)) != n {
						b.Fatal(err, len(out))
					}
				}
			})
			b.Run("repo", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					out, err := r.Find(ctx, sqlb.Le("id", n))
					if err != nil || int64(len(out)) != n {
						b.Fatal(err, len(out))
					}
				}
			})
		})
	}
	next := int64(1_000_000)
	newAccount := func() Account {
		next++
		return Account{ID: next, Email: "b@x", Name: "bench", Active: true, Score: 1, CreatedAt: time.Now()}
	}
	b.Run("Create", func(b *testing.B) {
		b.Run("pgx", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				a := newAccount()
				if _, err := conn.Exec(ctx, sqlInsert, a.ID, a.Email, a.Name, a.Active, a.Score, a.CreatedAt); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("repo", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				a := newAccount()
				if err := r.Create(ctx, &a); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
	b.Run("Update", func(b *testing.B) {
		a := Account{ID: 1, Email: "u@x", Name: "upd", Active: true, CreatedAt: time.Now()}
		b.Run("pgx", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				a.ID, a.Score = int64(i%2000+1), int32(i)
				if _, err := conn.Exec(ctx, sqlUpdate, a.Email, a.Name, a.Active, a.Score, a.CreatedAt, a.ID); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("repo", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				a.ID, a.Score = int64(i%2000+1), int32(i)
				if err := r.Update(ctx, &a); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
	b.Run("Upsert", func(b *testing.B) {
		a := Account{ID: 2, Email: "s@x", Name: "ups", Active: true, CreatedAt: time.Now()}
		b.Run("pgx", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				a.ID, a.Score = int64(i%2000+1), int32(i)
				if err := conn.QueryRow(ctx, sqlUpsert, a.ID, a.Email, a.Name, a.Active, a.Score, a.CreatedAt).
					Scan(&a.ID, &a.Email, &a.Name, &a.Active, &a.Score, &a.CreatedAt); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("repo", func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				a.ID, a.Score = int64(i%2000+1), int32(i)
				if _, err := r.Upsert(ctx, &a); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
	b.Run("CopyFrom10k", func(b *testing.B) {
		items := make([]Account, benchCopyN)
		fresh := func() {
			for i := range items {
				items[i] = newAccount()
			}
		}
		b.Run("pgx", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				fresh()
				b.StartTimer()
				n, err := conn.CopyFrom(ctx, pgx.Identifier{"accounts"}, []string{"id", "email", "name", "active", "score", "created_at"},
					pgx.CopyFromSlice(len(items), func(i int) ([]any, error) {
						a := &items[i]
						return []any{a.ID, a.Email, a.Name, a.Active, a.Score, a.CreatedAt}, nil
					}))
				if err != nil || n != benchCopyN {
					b.Fatal(err, n)
				}
			}
		})
		b.Run("repo", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				fresh()
				b.StartTimer()
				n, err := r.CopyFrom(ctx, items)
				if err != nil || n != benchCopyN {
					b.Fatal(err, n)
				}
			}
		})
	})
}

// TestBenchmarkSQLMatchesRepo checks that the hand-written statements of
// the benchmark are the ones repo sends, so the comparison is fair.
func TestBenchmarkSQLMatchesRepo(t *testing.T) {
	_, conn := setup(t, accountsDDL)
	ctx := ctxT(t)
	rec := &sqlRecorder{Querier: conn}
	r, err := repo.New[Account](rec)
	must(t, err)
	a := Account{ID: 5000, Email: "m@x", Name: "m", CreatedAt: time.Now()}
	_, err = r.FindByID(ctx, int64(1))
	must(t, err)
	_, err = r.Find(ctx, sqlb.Le("id", 10))
	must(t, err)
	must(t, r.Create(ctx, &a))
	must(t, r.Update(ctx, &a))
	_, err = r.Upsert(ctx, &a)
	must(t, err)
	equal(t, "statements", rec.sqls, []string{sqlFind, sqlList, sqlInsert, sqlUpdate, sqlUpsert})
}

// sqlRecorder records the SQL text of every statement.
type sqlRecorder struct {
	repo.Querier
	sqls []string
}

func (s *sqlRecorder) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	s.sqls = append(s.sqls, sql)
	return s.Querier.Exec(ctx, sql, args...)
}

func (s *sqlRecorder) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	s.sqls = append(s.sqls, sql)
	return s.Querier.Query(ctx, sql, args...) //nolint:rowserrcheck // the caller checks Err

}

func (s *sqlRecorder) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	s.sqls = append(s.sqls, sql)
	return s.Querier.QueryRow(ctx, sql, args...)
}
