package repo

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/normkit/norm/e2e"
	"github.com/normkit/norm/repo"
)

// accountRow is a DTO for the typed read benchmark: no table, read by
// column name on both sides.
type accountRow struct {
	ID        int64     `db:"id"`
	Email     string    `db:"email"`
	Name      string    `db:"name"`
	Active    bool      `db:"active"`
	Score     int32     `db:"score"`
	CreatedAt time.Time `db:"created_at"`
}

const sqlRows = `SELECT id, email, name, active, score, created_at FROM accounts WHERE id <= $1`

// BenchmarkTypedRead compares repo.SelectRaw into a DTO with
// pgx.CollectRows(pgx.RowToStructByName) on the same SQL and connection:
// "pgx" and "repo" sub-benchmarks give allocations; "paired" alternates
// the two on every iteration and reports the median of each and
// repo/pgx (see BenchmarkPaired).
//
//	go test -run '^$' -bench TypedRead -benchmem -benchtime 2000x ./repo/
func BenchmarkTypedRead(b *testing.B) {
	ctx := context.Background()
	conn, _ := benchSetup(b)
	viaPgx := func(n int64) error {
		rows, _ := conn.Query(ctx, sqlRows, n)
		out, err := pgx.CollectRows(rows, pgx.RowToStructByName[accountRow])
		if err == nil && int64(len(out)) != n {
			err = fmt.Errorf("pgx read %d rows, want %d", len(out), n)
		}
		return err
	}
	viaRepo := func(n int64) error {
		out, err := repo.SelectRaw[accountRow](ctx, conn, sqlRows, n)
		if err == nil && int64(len(out)) != n {
			err = fmt.Errorf("repo read %d rows, want %d", len(out), n)
		}
		return err
	}
	for _, n := range []int64{1, 100, 1000} {
		b.Run(fmt.Sprintf("rows%d", n), func(b *testing.B) {
			for _, side := range []struct {
				name string
				f    func(int64) error
			}{{"pgx", viaPgx}, {"repo", viaRepo}} {
				b.Run(side.name, func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						if err := side.f(n); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
			b.Run("paired", func(b *testing.B) {
				var tp, tr []time.Duration
				timed := func(f func(int64) error, into *[]time.Duration) {
					t0 := time.Now()
					if err := f(n); err != nil {
						b.Fatal(err)
					}
					*into = append(*into, time.Since(t0))
				}
				for i := 0; b.Loop(); i++ {
					if i%2 == 0 {
						timed(viaPgx, &tp)
						timed(viaRepo, &tr)
					} else {
						timed(viaRepo, &tr)
						timed(viaPgx, &tp)
					}
				}
				mp, mr := e2e.Median(tp), e2e.Median(tr)
				b.ReportMetric(float64(mp.Nanoseconds()), "pgx-ns/op")
				b.ReportMetric(float64(mr.Nanoseconds()), "repo-ns/op")
				b.ReportMetric(float64(mr)/float64(mp), "repo/pgx")
			})
		})
	}
}
