package pool

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/normkit/norm/e2e"
	normpool "github.com/normkit/norm/pool"
)

// BenchmarkSelectByPK compares a SELECT by primary key through bare pgxpool
// and through *pool.DB (closed breaker, retries on, routing and hygiene
// checks in the path) on the same database in the same run:
//
//	go test -run '^$' -bench SelectByPK -benchmem -benchtime 10000x -count 5 ./pool/
func BenchmarkSelectByPK(b *testing.B) {
	ctx := context.Background()
	d := cluster.NewDatabase(b)
	bare := d.Pool(b)
	if _, err := bare.Exec(ctx, `CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);
		INSERT INTO users SELECT g, 'user' || g || '@example.com' FROM generate_series(1, 1000) g`); err != nil {
		b.Fatal(err)
	}
	db, err := normpool.Open(ctx, normpool.Config{ConnString: d.DSN(), MaxConns: bare.Config().MaxConns})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(db.Close)
	const q = "SELECT id, email FROM users WHERE id = $1"
	run := func(b *testing.B, scan func(id int64, dst *int64, email *string) error) {
		b.ReportAllocs()
		var id int64
		var email string
		for i := 0; b.Loop(); i++ {
			if err := scan(int64(i%1000+1), &id, &email); err != nil {
				b.Fatal(err)
			}
		}
	}
	runParallel := func(b *testing.B, scan func(id int64, dst *int64, email *string) error) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			var id int64
			var email string
			for i := 0; pb.Next(); i++ {
				if err := scan(int64(i%1000+1), &id, &email); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	viaPgxpool := func(p *pgxpool.Pool) func(int64, *int64, *string) error {
		return func(id int64, dst *int64, email *string) error { return p.QueryRow(ctx, q, id).Scan(dst, email) }
	}
	viaDB := func(id int64, dst *int64, email *string) error { return db.QueryRow(ctx, q, id).Scan(dst, email) }
	// Warm both pools and statement caches.
	for range 20 {
		_ = viaPgxpool(bare)(1, new(int64), new(string))
		_ = viaDB(1, new(int64), new(string))
	}
	// Interleaved: each iteration times one call of each, so load from
	// other processes on the machine hits both alike; reports both means
	// and their ratio. interleaved/control does the same with a second
	// bare pgxpool in place of *pool.DB: two pools use two server
	// backends, whose scheduling alone moves the ratio by several percent.
	interleaved := func(b *testing.B, base, other func(int64, *int64, *string) error) {
		var id int64
		var email string
		var tBase, tOther time.Duration
		for i := 0; b.Loop(); i++ {
			k := int64(i%1000 + 1)
			first, second := base, other
			if i%2 == 1 { // alternate which goes first
				first, second = second, first
			}
			t0 := time.Now()
			if err := first(k, &id, &email); err != nil {
				b.Fatal(err)
			}
			t1 := time.Now()
			if err := second(k, &id, &email); err != nil {
				b.Fatal(err)
			}
			t2 := time.Now()
			if i%2 == 0 {
				tBase, tOther = tBase+t1.Sub(t0), tOther+t2.Sub(t1)
			} else {
				tOther, tBase = tOther+t1.Sub(t0), tBase+t2.Sub(t1)
			}
		}
		n := float64(b.N)
		b.ReportMetric(float64(tBase.Nanoseconds())/n, "pgxpool-ns/call")
		b.ReportMetric(float64(tOther.Nanoseconds())/n, "other-ns/call")
		b.ReportMetric(float64(tOther)/float64(tBase), "ratio")
	}
	b.Run("interleaved", func(b *testing.B) { interleaved(b, viaPgxpool(bare), viaDB) })
	bare2 := d.Pool(b)
	for range 20 {
		_ = viaPgxpool(bare2)(1, new(int64), new(string))
	}
	b.Run("interleaved/control", func(b *testing.B) { interleaved(b, viaPgxpool(bare), viaPgxpool(bare2)) })
	b.Run("parallel/interleaved", func(b *testing.B) {
		var tBare, tDB atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			var id int64
			var email string
			for i := 0; pb.Next(); i++ {
				k := int64(i%1000 + 1)
				t0 := time.Now()
				var err error
				if i%2 == 0 {
					err = viaPgxpool(bare)(k, &id, &email)
					tBare.Add(int64(time.Since(t0)))
				} else {
					err = viaDB(k, &id, &email)
					tDB.Add(int64(time.Since(t0)))
				}
				if err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(tDB.Load())/float64(tBare.Load()), "ratio")
	})
	// Same connection: a *pool.DB of one connection against its own
	// pgxpool (db.Primary()), alternating, so both use the same server
	// backend; reports the ratio of the medians, which bursts of load on the
	// machine cannot skew. Separate pools differ by a few percent by their
	// backends' scheduling alone.
	one, err := normpool.Open(ctx, normpool.Config{ConnString: d.DSN(), MaxConns: 1, MinConns: 1})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(one.Close)
	for _, ab := range []struct {
		name string
		on   func(int64, *int64, *string) error
	}{
		{"same-conn/control", viaPgxpool(one.Primary())},
		{"same-conn/pooldb", func(id int64, dst *int64, email *string) error { return one.QueryRow(ctx, q, id).Scan(dst, email) }},
	} {
		b.Run(ab.name, func(b *testing.B) {
			off := viaPgxpool(one.Primary())
			var id int64
			var email string
			tOff := make([]time.Duration, 0, 1<<18)
			tOn := make([]time.Duration, 0, 1<<18)
			timed := func(f func(int64, *int64, *string) error, k int64, into *[]time.Duration) {
				t0 := time.Now()
				if err := f(k, &id, &email); err != nil {
					b.Fatal(err)
				}
				*into = append(*into, time.Since(t0))
			}
			for i := range 50 {
				timed(off, int64(i+1), &tOff)
				timed(ab.on, int64(i+1), &tOn)
			}
			tOff, tOn = tOff[:0], tOn[:0]
			for i := 0; b.Loop(); i++ {
				k := int64(i%1000 + 1)
				if i%2 == 0 {
					timed(off, k, &tOff)
					timed(ab.on, k, &tOn)
				} else {
					timed(ab.on, k, &tOn)
					timed(off, k, &tOff)
				}
			}
			mOff, mOn := e2e.Median(tOff), e2e.Median(tOn)
			b.ReportMetric(float64(mOff.Nanoseconds()), "pgxpool-ns/call")
			b.ReportMetric(float64(mOn.Nanoseconds()), "on-ns/call")
			b.ReportMetric(float64(mOn)/float64(mOff), "ratio")
		})
	}
	b.Run("pgxpool", func(b *testing.B) { run(b, viaPgxpool(bare)) })
	b.Run("pooldb", func(b *testing.B) { run(b, viaDB) })
	b.Run("parallel/pgxpool", func(b *testing.B) { runParallel(b, viaPgxpool(bare)) })
	b.Run("parallel/pooldb", func(b *testing.B) { runParallel(b, viaDB) })
}
