package repo

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"github.com/normkit/norm/repo"
	"github.com/normkit/norm/repo/rediscache"
	"github.com/normkit/norm/tools/pgtest/redistest"
)

// BenchmarkCacheAcrossInstances compares, in one run, FindByID served by a
// guarded LRU and by a guarded Redis cache with a primary-key read without
// cache (pgx and repo), and the cost of publishing invalidations on a
// write outside a transaction (BEGIN, UPDATE, pg_notify, COMMIT) against
// the plain UPDATE:
//
//	go test -run '^$' -bench CacheAcrossInstances -benchmem -count 5 ./repo/
func BenchmarkCacheAcrossInstances(b *testing.B) {
	ctx := context.Background()
	d := cluster.NewDatabase(b)
	conn := d.Conn(b)
	if _, err := conn.Exec(ctx, accountsDDL); err != nil {
		b.Fatal(err)
	}
	lcfg, err := pgx.ParseConfig(d.DSN())
	if err != nil {
		b.Fatal(err)
	}
	lis, err := repo.Listen(ctx, repo.ListenerConfig{ConnConfig: lcfg})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = lis.Close() })
	srv := redistest.New(b)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	b.Cleanup(func() { _ = rdb.Close() })
	rc, err := rediscache.For[Account](rediscache.New(rdb, rediscache.Options{}))
	if err != nil {
		b.Fatal(err)
	}
	plain, err := repo.New[Account](conn)
	if err != nil {
		b.Fatal(err)
	}
	lru, err := repo.New[Account](conn, repo.WithCache(lis.Guard(repo.NewLRU(10000, time.Hour, nil)), time.Hour))
	if err != nil {
		b.Fatal(err)
	}
	red, err := repo.New[Account](conn, repo.WithCache(lis.Guard(rc), time.Hour))
	if err != nil {
		b.Fatal(err)
	}
	notify, err := repo.New[Account](conn, repo.WithNotify(""))
	if err != nil {
		b.Fatal(err)
	}
	if err := lis.WaitConnected(ctx); err != nil {
		b.Fatal(err)
	}
	const rows = 2000
	for id := int64(1); id <= rows; id++ { // warm both caches
		for _, r := range []*repo.Repository[Account]{lru, red} {
			if _, err := r.FindByID(ctx, id); err != nil {
				b.Fatal(err)
			}
		}
	}

	find := func(r *repo.Repository[Account]) func(b *testing.B) {
		return func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if _, err := r.FindByID(ctx, int64(i%rows+1)); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	b.Run("FindByID/pgx", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			var a Account
			if err := conn.QueryRow(ctx, sqlFind, int64(i%rows+1)).Scan(&a.ID, &a.Email, &a.Name, &a.Active, &a.Score, &a.CreatedAt); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("FindByID/repo-nocache", find(plain))
	b.Run("FindByID/lru-hit", find(lru))
	b.Run("FindByID/redis-hit", find(red))

	update := func(r *repo.Repository[Account]) func(b *testing.B) {
		return func(b *testing.B) {
			b.ReportAllocs()
			a := Account{Email: "e@x", Name: "n", CreatedAt: time.Now()}
			for i := 0; b.Loop(); i++ {
				a.ID = int64(i%rows + 1)
				if err := r.Update(ctx, &a); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	b.Run("Update/plain", update(plain))
	b.Run("Update/notify", update(notify))
}
