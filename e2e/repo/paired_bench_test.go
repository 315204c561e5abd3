package repo

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/normkit/norm/e2e"
	"github.com/normkit/norm/sqlb"
)

// BenchmarkPaired alternates hand-written pgx and the repository on every
// iteration, on the same connection, changing which goes first, and
// reports the median time of each and their ratio, so load from other
// processes hits both sides alike and bursts of it do not move the figure:
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
			var tp, tr []time.Duration
			timed := func(f func(int) error, i int, into *[]time.Duration) {
				if c.setup != nil {
					b.StopTimer()
					c.setup()
					b.StartTimer()
				}
				t0 := time.Now()
				if err := f(i); err != nil {
					b.Fatal(err)
				}
				*into = append(*into, time.Since(t0))
			}
			for i := 0; b.Loop(); i++ {
				if i%2 == 0 { // alternate which goes first
					timed(c.pgx, i, &tp)
					timed(c.repo, i, &tr)
				} else {
					timed(c.repo, i, &tr)
					timed(c.pgx, i, &tp)
				}
			}
			mp, mr := e2e.Median(tp), e2e.Median(tr)
			b.ReportMetric(float64(mp.Nanoseconds()), "pgx-ns/op")
			b.ReportMetric(float64(mr.Nanoseconds()), "repo-ns/op")
			b.ReportMetric(float64(mr)/float64(mp), "repo/pgx")
		})
	}
}
