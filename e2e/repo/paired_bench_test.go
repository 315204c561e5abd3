package repo

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/normkit/norm/sqlb"
)

// BenchmarkPaired alternates hand-written pgx and the repository on every
// iteration (pgx, repo, pgx, repo, …) and reports both mean times and their
// ratio, so load from other processes hits both sides alike:
//
//	go test -run '^$' -bench Paired -count 3 ./repo/
//
// Allocations per call come from BenchmarkRepoVsPgx.
func BenchmarkPaired(b *testing.B) {
	ctx := context.Background()
	conn, r := benchSetup(b)
	next := int64(2_000_000)
	fresh := func() Account {
		next++
		return Account{ID: next, Email: "p@x", Name: "paired", Active: true, Score: 1, CreatedAt: time.Now()}
	}
	var row Account
	scanList := func(n int64) error {
		rows, _ := conn.Query(ctx, sqlList, n)
		_, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Account, error) {
			var a Account
			err := row.Scan(&a.ID, &a.Email, &a.Name, &a.Active, &a.Score, &a.CreatedAt)
			return a, err
		})
		return err
	}
	copyItems := make([]Account, benchCopyN)
	refill := func() {
		for i := range copyItems {
			copyItems[i] = fresh()
		}
	}
	cases := []struct {
		name  string
		setup func() // untimed, before each pair
		pgx   func(i int) error
		repo  func(i int) error
	}{
		{"FindByID", nil,
			func(i int) error {
				return conn.QueryRow(ctx, sqlFind, int64(i%2000+1)).Scan(&row.ID, &row.Email, &row.Name, &row.Active, &row.Score, &row.CreatedAt)
			},
			func(i int) error { _, err := r.FindByID(ctx, int64(i%2000+1)); return err }},
		{"Find100", nil,
			func(int) error { return scanList(100) },
			func(int) error { _, err := r.Find(ctx, sqlb.Le("id", 100)); return err }},
		{"Find1000", nil,
			func(int) error { return scanList(1000) },
			func(int) error { _, err := r.Find(ctx, sqlb.Le("id", 1000)); return err }},
		{"Create", nil,
			func(int) error {
				a := fresh()
				_, err := conn.Exec(ctx, sqlInsert, a.ID, a.Email, a.Name, a.Active, a.Score, a.CreatedAt)
				return err
			},
			func(int) error { a := fresh(); return r.Create(ctx, &a) }},
		{"Update", nil,
			func(i int) error {
				a := Account{ID: int64(i%2000 + 1), Email: "u@x", Name: "u", Score: int32(i), CreatedAt: time.Now()}
				_, err := conn.Exec(ctx, sqlUpdate, a.Email, a.Name, a.Active, a.Score, a.CreatedAt, a.ID)
				return err
			},
			func(i int) error {
				a := Account{ID: int64(i%2000 + 1), Email: "u@x", Name: "u", Score: int32(i), CreatedAt: time.Now()}
				return r.Update(ctx, &a)
			}},
		{"Upsert", nil,
			func(i int) error {
				a := Account{ID: int64(i%2000 + 1), Email: "s@x", Name: "s", Score: int32(i), CreatedAt: time.Now()}
				return conn.QueryRow(ctx, sqlUpsert, a.ID, a.Email, a.Name, a.Active, a.Score, a.CreatedAt).
					Scan(&a.ID, &a.Email, &a.Name, &a.Active, &a.Score, &a.CreatedAt)
			},
			func(i int) error {
				a := Account{ID: int64(i%2000 + 1), Email: "s@x", Name: "s", Score: int32(i), CreatedAt: time.Now()}
				_, err := r.Upsert(ctx, &a)
				return err
			}},
		{"CopyFrom10k", refill,
			func(int) error {
				_, err := conn.CopyFrom(ctx, pgx.Identifier{"accounts"}, []string{"id", "email", "name", "active", "score", "created_at"},
					pgx.CopyFromSlice(len(copyItems), func(i int) ([]any, error) {
						a := &copyItems[i]
						return []any{a.ID, a.Email, a.Name, a.Active, a.Score, a.CreatedAt}, nil
					}))
				return err
			},
			func(int) error { _, err := r.CopyFrom(ctx, copyItems); return err }},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var tp, tr time.Duration
			for i := 0; b.Loop(); i++ {
				if c.setup != nil {
					b.StopTimer()
					c.setup()
					b.StartTimer()
				}
				t0 := time.Now()
				if err := c.pgx(i); err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				if c.setup != nil {
					b.StopTimer()
					c.setup()
					b.StartTimer()
				}
				t2 := time.Now()
				if err := c.repo(i); err != nil {
					b.Fatal(err)
				}
				t3 := time.Now()
				tp += t1.Sub(t0)
				tr += t3.Sub(t2)
			}
			n := float64(b.N)
			b.ReportMetric(float64(tp.Nanoseconds())/n, "pgx-ns/op")
			b.ReportMetric(float64(tr.Nanoseconds())/n, "repo-ns/op")
			b.ReportMetric(float64(tr)/float64(tp), "repo/pgx")
		})
	}
}
