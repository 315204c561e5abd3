package repo

import (
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/normkit/norm/repo"
	"github.com/normkit/norm/repo/rediscache"
	"github.com/normkit/norm/tools/pgtest"
	"github.com/normkit/norm/tools/pgtest/redistest"
)

// redisCacheFor returns a cache option for newInstance: a Client of its
// own (as a separate process would have) on the shared server, in the
// namespace of database d (tests share the server).
func redisCacheFor(t *testing.T, srv *redistest.Server, d *pgtest.Database) func() repo.Cache {
	return func() repo.Cache {
		rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
		t.Cleanup(func() { _ = rdb.Close() })
		c, err := rediscache.For[User](rediscache.New(rdb, rediscache.Options{Namespace: d.Name + ":"}))
		must(t, err)
		return c
	}
}

// TestRedisCacheAcrossInstances: the two-instance scenarios with one Redis
// shared by both instances, each guarded by its own listener.
func TestRedisCacheAcrossInstances(t *testing.T) {
	srv := redistest.New(t)
	t.Run("rounds", func(t *testing.T) {
		d, _ := setup(t, usersDDL)
		a := newInstance(t, d, "a", instanceOpts{cache: redisCacheFor(t, srv, d)})
		b := newInstance(t, d, "b", instanceOpts{cache: redisCacheFor(t, srv, d)})
		crossInstanceRounds(t, a, b, 200)
	})
	t.Run("load with the listener killed", func(t *testing.T) {
		d, conn := setup(t, usersDDL)
		a := newInstance(t, d, "a", instanceOpts{cache: redisCacheFor(t, srv, d)})
		b := newInstance(t, d, "b", instanceOpts{cache: redisCacheFor(t, srv, d), minBackoff: 300 * time.Millisecond})
		loadWithListenerKill(t, conn, a, b)
	})
}

// TestRedisCacheDegradesToMisses: with Redis gone, reads and writes
// through the repository still succeed against PostgreSQL, and every
// failure is reported.
func TestRedisCacheDegradesToMisses(t *testing.T) {
	d, conn := setup(t, usersDDL)
	ctx := ctxT(t)
	srv := redistest.New(t)
	var mu sync.Mutex
	failed := map[string]int{}
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr(), MaxRetries: -1})
	t.Cleanup(func() { _ = rdb.Close() })
	// A generous Timeout: a loaded machine must not turn slow calls into
	// errors while Redis is up (with Redis gone, calls fail at once: the
	// connection is refused). Whether the Create's tombstone refuses a
	// fill is TestRedisCacheDeleteAndFlush's business: here the hold only
	// passes, whatever the machine's speed, before the first read.
	rc := rediscache.New(rdb, rediscache.Options{DeleteHold: 50 * time.Millisecond, Timeout: 5 * time.Second, OnError: func(op string, _ error) {
		mu.Lock()
		defer mu.Unlock()
		failed[op]++
	}})
	c, err := rediscache.For[User](rc)
	must(t, err)
	r, err := repo.New[User](d.Pool(t), repo.WithCache(c, time.Minute))
	must(t, err)
	u := newUser("redis@x")
	must(t, r.Create(ctx, u))
	time.Sleep(100 * time.Millisecond) // the Create's tombstone expires
	_, err = r.FindByID(ctx, u.ID)     // a miss, filled
	must(t, err)
	_, err = r.FindByID(ctx, u.ID) // a hit
	must(t, err)
	if st := rc.Stats(); st.Hits != 1 || st.Misses != 1 || st.Errors != 0 {
		t.Fatalf("stats with Redis up: %+v, want 1 hit, 1 miss, no error", st)
	}
	key, _ := r.CacheKey(u.ID)
	ttl := rdb.TTL(ctx, "normcache:"+key).Val()
	if ttl <= 0 || ttl > time.Minute {
		t.Fatalf("entry TTL %v, want (0, 1m]", ttl)
	}

	must(t, srv.Close())
	_, err = conn.Exec(ctx, "UPDATE users SET name = 'behind' WHERE id = $1", u.ID)
	must(t, err)
	got, err := r.FindByID(ctx, u.ID)
	must(t, err)
	equal(t, "read with Redis down comes from PostgreSQL", got.Name, "behind")
	got.Name = "written"
	must(t, r.Update(ctx, got))
	mu.Lock()
	defer mu.Unlock()
	if failed["get"] == 0 || failed["set"] == 0 || failed["delete"] == 0 {
		t.Fatalf("failures reported: %v, want get, set and delete", failed)
	}
}

// TestRedisCacheDeleteAndFlush: deletes are pipelined over any keys and
// leave tombstones that refuse fills until they expire, and Flush removes
// the namespace only.
func TestRedisCacheDeleteAndFlush(t *testing.T) {
	t.Parallel()
	ctx := ctxT(t)
	srv := redistest.New(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	t.Cleanup(func() { _ = rdb.Close() })
	must(t, rdb.Set(ctx, "other:key", "x", 0).Err())
	rc := rediscache.New(rdb, rediscache.Options{
		Namespace: "ns[1]:",
		// The hold must outlast the Delete → late Set → Get steps and the
		// timeout every call, or a machine slowed by the race detector and
		// other tests would expire the tombstone early or count timeouts as
		// errors: neither is what this test is about.
		DeleteHold: time.Second,
		Timeout:    10 * time.Second,
	})
	c, err := rediscache.For[User](rc)
	must(t, err)
	keys := make([]string, 2500)
	for i := range keys {
		keys[i] = "norm:users:" + string(rune('a'+i%26)) + time.Duration(i).String()
		c.Set(ctx, keys[i], User{ID: int64(i), Name: "n"}, 0)
	}
	v, ok := c.Get(ctx, keys[42])
	if !ok || v.(User).ID != 42 {
		t.Fatalf("Get: %v, %v", v, ok)
	}
	c.Delete(ctx, keys[:10]...)
	for _, k := range keys[:10] {
		if _, ok := c.Get(ctx, k); ok {
			t.Fatalf("%s survived Delete", k)
		}
	}
	c.Set(ctx, keys[0], User{ID: 0, Name: "late fill"}, 0)
	if v, ok := c.Get(ctx, keys[0]); ok {
		t.Fatalf("a fill replaced a tombstone: %v", v)
	}
	time.Sleep(1500 * time.Millisecond)
	gone := make([]string, 10)
	for i, k := range keys[:10] {
		gone[i] = "ns[1]:" + k
	}
	equal(t, "tombstones left once they expired", rdb.Exists(ctx, gone...).Val(), int64(0))
	c.Set(ctx, keys[0], User{ID: 0, Name: "fill"}, 0)
	if _, ok := c.Get(ctx, keys[0]); !ok {
		t.Fatal("no fill after the tombstone expired")
	}
	c.Flush(ctx)
	equal(t, "keys in Redis after Flush", rdb.DBSize(ctx).Val(), int64(1))
	equal(t, "the key outside the namespace", rdb.Get(ctx, "other:key").Val(), "x")
	equal(t, "errors", rc.Stats().Errors, int64(0))
}

var _ interface {
	repo.Cache
	repo.Flusher
} = (*rediscache.Cache[User])(nil)
