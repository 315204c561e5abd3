package pool

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	normpool "github.com/normkit/norm/pool"
)

// BenchmarkSelectByPK compares a SELECT by primary key through bare pgxpool
// and through *pool.DB (closed breaker, retries on, routing and hygiene
// checks in the path) on the same database in the same run:
//
//	go test -run '^$' -bench SelectByPK -benchmem -count 5 ./pool/
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
	// and their ratio.
	b.Run("interleaved", func(b *testing.B) {
		var id int64
		var email string
		var tBare, tDB time.Duration
		for i := 0; b.Loop(); i++ {
			k := int64(i%1000 + 1)
			first, second := viaPgxpool(bare), viaDB
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
				tBare, tDB = tBare+t1.Sub(t0), tDB+t2.Sub(t1)
			} else {
				tDB, tBare = tDB+t1.Sub(t0), tBare+t2.Sub(t1)
			}
		}
		n := float64(b.N)
		b.ReportMetric(float64(tBare.Nanoseconds())/n, "pgxpool-ns/call")
		b.ReportMetric(float64(tDB.Nanoseconds())/n, "pooldb-ns/call")
		b.ReportMetric(float64(tDB)/float64(tBare), "ratio")
	})
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
	b.Run("pgxpool", func(b *testing.B) { run(b, viaPgxpool(bare)) })
	b.Run("pooldb", func(b *testing.B) { run(b, viaDB) })
	b.Run("parallel/pgxpool", func(b *testing.B) { runParallel(b, viaPgxpool(bare)) })
	b.Run("parallel/pooldb", func(b *testing.B) { runParallel(b, viaDB) })
}
