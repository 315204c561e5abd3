package repo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	normpool "github.com/normkit/norm/pool"
	"github.com/normkit/norm/repo"
	"github.com/normkit/norm/tools/pgtest"
)

// instance stands for one service process: its own pool.DB, its own
// cache, guarded by its own listener, and a repository over them.
type instance struct {
	name string
	db   *normpool.DB
	lis  *repo.Listener
	r    *repo.Repository[User]

	mu       sync.Mutex
	seen     map[string]int       // notifications that named each key
	seenAt   map[string]time.Time // when the last one was applied
	flushes  int
	waiters  []chan struct{}
	onEvict  func(keys []string) // test hook, called after the bookkeeping
	onEvictM sync.Mutex
}

// instanceOpts shape an instance.
type instanceOpts struct {
	bouncer    bool              // the pool goes through PgBouncer (transaction mode)
	cache      func() repo.Cache // the cache to guard (nil: an LRU of its own)
	minBackoff time.Duration
	repoOpts   []repo.Option // more options for the repository
}

// newInstance opens an instance on database d: the pool directly or
// through PgBouncer, the listener always directly to the primary (the
// documented set-up: LISTEN needs a session).
func newInstance(t *testing.T, d *pgtest.Database, name string, o instanceOpts) *instance {
	t.Helper()
	ctx := ctxT(t)
	cfg := normpool.Config{ConnString: d.DSN()}
	if o.bouncer {
		cfg.ConnString = d.BouncerDSN(t)
		cfg.QueryExecMode = pgx.QueryExecModeCacheDescribe
	}
	db, err := normpool.Open(ctx, cfg)
	must(t, err)
	t.Cleanup(db.Close)
	lcfg, err := pgx.ParseConfig(d.DSN())
	must(t, err)
	lcfg.RuntimeParams["application_name"] = "listener-" + name
	in := &instance{name: name, db: db, seen: map[string]int{}, seenAt: map[string]time.Time{}}
	lis, err := repo.Listen(ctx, repo.ListenerConfig{
		ConnConfig: lcfg,
		MinBackoff: o.minBackoff,
		OnEvict:    in.evicted,
	})
	must(t, err)
	t.Cleanup(func() { _ = lis.Close() })
	in.lis = lis
	var inner repo.Cache = repo.NewLRU(1000, time.Minute, nil)
	if o.cache != nil {
		inner = o.cache()
	}
	in.r, err = repo.New[User](db, append([]repo.Option{repo.WithCache(lis.Guard(inner), time.Minute)}, o.repoOpts...)...)
	must(t, err)
	must(t, lis.WaitConnected(ctx))
	return in
}

// evicted records a notification applied by the instance's listener.
// The test hook is read first: a waitSeen that this notification ends
// may install a hook, which must see only later notifications.
func (in *instance) evicted(keys []string) {
	in.onEvictM.Lock()
	fn := in.onEvict
	in.onEvictM.Unlock()
	now := time.Now()
	in.mu.Lock()
	if keys == nil {
		in.flushes++
	}
	for _, k := range keys {
		in.seen[k]++
		in.seenAt[k] = now
	}
	ws := in.waiters
	in.waiters = nil
	in.mu.Unlock()
	for _, w := range ws {
		close(w)
	}
	if fn != nil {
		fn(keys)
	}
}

// waitSeen waits until key has been named by n notifications.
func (in *instance) waitSeen(t testing.TB, key string, n int) time.Time {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		in.mu.Lock()
		if in.seen[key] >= n {
			at := in.seenAt[key]
			in.mu.Unlock()
			return at
		}
		w := make(chan struct{})
		in.waiters = append(in.waiters, w)
		in.mu.Unlock()
		select {
		case <-w:
		case <-deadline:
			t.Fatalf("%s: notification %d for %s not delivered in 10s", in.name, n, key)
		}
	}
}

func (in *instance) seenCount(key string) int {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.seen[key]
}

// TestCacheAcrossInstances writes through A and reads through B, each with
// its own guarded LRU: once A's commit is delivered, B never serves the
// old row. Directly, and with both pools behind PgBouncer in transaction
// mode while the listeners connect directly (the documented set-up).
func TestCacheAcrossInstances(t *testing.T) {
	for _, bouncer := range []bool{false, true} {
		t.Run(fmt.Sprintf("bouncer=%v", bouncer), func(t *testing.T) {
			d, _ := setup(t, usersDDL)
			if bouncer && !cluster.HasBouncer() {
				t.Skip("no PgBouncer in this cluster")
			}
			a := newInstance(t, d, "a", instanceOpts{bouncer: bouncer})
			b := newInstance(t, d, "b", instanceOpts{bouncer: bouncer})
			crossInstanceRounds(t, a, b, 200)
		})
	}
}

// crossInstanceRounds writes through a and reads through b, writes times:
// after each of a's commits is delivered to b, b must serve the new row.
// It logs the delivery latency.
func crossInstanceRounds(t *testing.T, a, b *instance, writes int) {
	t.Helper()
	ctx := ctxT(t)
	u := newUser("x@x")
	must(t, a.r.Create(ctx, u))
	key, err := b.r.CacheKey(u.ID)
	must(t, err)
	b.waitSeen(t, key, 1) // the Create's notification

	lat := make([]time.Duration, 0, writes)
	for i := range writes {
		got, err := b.r.FindByID(ctx, u.ID) // fills (or hits) B's cache
		must(t, err)
		equal(t, "B before the write", got.Version, u.Version)
		u.Name = fmt.Sprintf("v%d", i)
		must(t, a.r.Update(ctx, u))
		committed := time.Now()
		at := b.waitSeen(t, key, i+2)
		lat = append(lat, max(at.Sub(committed), 0))
		got, err = b.r.FindByID(ctx, u.ID)
		must(t, err)
		if got.Name != u.Name || got.Version != u.Version {
			t.Fatalf("write %d: B served %q v%d after A's commit was delivered, want %q v%d",
				i, got.Name, got.Version, u.Name, u.Version)
		}
	}
	slices.Sort(lat)
	t.Logf("delivery latency after A's commit returned, %d writes: p50 %v, p99 %v, max %v",
		writes, lat[len(lat)/2], lat[len(lat)*99/100], lat[len(lat)-1])
}

// TestCacheAcrossInstancesRollbackPublishesNothing: a rolled-back write
// through A evicts nothing at B. Notifications arrive in commit order, so
// once a later committed write's notification is in, the rolled-back one
// would have been too.
func TestCacheAcrossInstancesRollbackPublishesNothing(t *testing.T) {
	d, _ := setup(t, usersDDL)
	ctx := ctxT(t)
	a := newInstance(t, d, "a", instanceOpts{})
	b := newInstance(t, d, "b", instanceOpts{})
	u, marker := newUser("rb@x"), newUser("marker@x")
	must(t, a.r.Create(ctx, u))
	must(t, a.r.Create(ctx, marker))
	ku, _ := b.r.CacheKey(u.ID)
	km, _ := b.r.CacheKey(marker.ID)
	b.waitSeen(t, km, 1)
	_, err := b.r.FindByID(ctx, u.ID)
	must(t, err)
	before := b.seenCount(ku)

	errBoom := errors.New("boom")
	err = a.db.InTx(ctx, func(ctx context.Context) error {
		v := *u
		v.Name = "rolled back"
		if err := a.r.Update(ctx, &v); err != nil {
			return err
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("InTx: %v", err)
	}
	// A hooked-less write outside a transaction that fails also publishes nothing.
	stale := *u
	stale.Version = 99
	if err := a.r.Update(ctx, &stale); !errors.Is(err, repo.ErrStale) {
		t.Fatalf("stale update: %v", err)
	}
	marker.Name = "after"
	must(t, a.r.Update(ctx, marker))
	b.waitSeen(t, km, 2)
	equal(t, "notifications for the rolled-back key", b.seenCount(ku)-before, 0)
	got, err := b.r.FindByID(ctx, u.ID)
	must(t, err)
	equal(t, "B's row", got.Name, u.Name)
}

// TestCacheAcrossInstancesUnderLoad runs 8 writers through A and 8
// readers through B for a few seconds, and kills B's listener connection
// with pg_terminate_backend halfway. Each key has one writer, so the n-th
// notification that names a key is the n-th committed update of it, and
// its version is known. A read that began after the notification of
// version v was applied must return v or later; a read made while B's
// listener was down must return at least the version A had committed
// when it began (the cache must not serve then).
func TestCacheAcrossInstancesUnderLoad(t *testing.T) {
	d, conn := setup(t, usersDDL)
	a := newInstance(t, d, "a", instanceOpts{})
	b := newInstance(t, d, "b", instanceOpts{minBackoff: 300 * time.Millisecond})
	loadWithListenerKill(t, conn, a, b)
}

// loadWithListenerKill is the body of TestCacheAcrossInstancesUnderLoad,
// for any pair of instances; b's listener must be named "listener-b".
func loadWithListenerKill(t *testing.T, conn *pgx.Conn, a, b *instance) {
	t.Helper()
	ctx := ctxT(t)
	const writers, readers, perWriter = 8, 8, 4
	type slot struct {
		id        int64
		key       string
		base      int          // version when the run began
		delivered atomic.Int64 // version whose notification B applied
		acked     atomic.Int64 // version whose Update returned at A
		sinceUp   atomic.Int64 // notifications since B's last reconnect
		upBase    atomic.Int64 // version before the first notification since B's last (re)connect
		beforeUp  atomic.Int64 // version acked before B's listener was cut: every commit notified after its reconnect is later
	}
	slots := make([]*slot, writers*perWriter)
	byKey := map[string]*slot{}
	for i := range slots {
		u := newUser(fmt.Sprintf("load%d@x", i))
		must(t, a.r.Create(ctx, u))
		k, _ := b.r.CacheKey(u.ID)
		s := &slot{id: u.ID, key: k, base: u.Version}
		s.delivered.Store(int64(u.Version))
		s.acked.Store(int64(u.Version))
		s.upBase.Store(int64(u.Version))
		s.beforeUp.Store(int64(u.Version))
		slots[i], byKey[k] = s, s
	}
	for _, s := range slots {
		b.waitSeen(t, s.key, 1)
	}
	b.onEvictM.Lock()
	b.onEvict = func(keys []string) {
		if keys == nil { // reconnected and flushed: count afresh
			for _, s := range slots {
				// Reads that begin now fill from the database after the
				// flush: they see at least what was acked before it.
				if a := s.acked.Load(); a > s.delivered.Load() {
					s.delivered.Store(a)
				}
				// Notifications from now on are of the commits after the
				// new LISTEN, which came after the cut; how many of the
				// commits acked by now are among them is not known (on a
				// busy machine several commit between LISTEN and the
				// flush), so count from the version acked before the cut.
				s.upBase.Store(s.beforeUp.Load())
				s.sinceUp.Store(0)
			}
			return
		}
		for _, k := range keys {
			if s := byKey[k]; s != nil {
				n := s.sinceUp.Add(1)
				// Notifications arrive in commit order, one a commit,
				// so the n-th since the (re)connect is of version
				// upBase+n or later.
				if v := s.upBase.Load() + n; v > s.delivered.Load() {
					s.delivered.Store(v)
				}
			}
		}
	}
	b.onEvictM.Unlock()

	run, stop := context.WithTimeout(ctx, 4*time.Second)
	defer stop()
	var wg sync.WaitGroup
	var writes, reads, downReads atomic.Int64
	var stale atomic.Int64
	var firstStale atomic.Value
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := slots[w*perWriter : (w+1)*perWriter]
			for run.Err() == nil {
				s := mine[rand.IntN(len(mine))]
				u, err := a.r.FindByID(ctx, s.id)
				if err != nil {
					t.Error(err)
					return
				}
				u.Name = fmt.Sprintf("w%d", writes.Add(1))
				if err := a.r.Update(ctx, u); err != nil {
					t.Error(err)
					return
				}
				s.acked.Store(int64(u.Version))
			}
		}()
	}
	for range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for run.Err() == nil {
				s := slots[rand.IntN(len(slots))]
				wasDown := !b.lis.Connected()
				delivered, acked := s.delivered.Load(), s.acked.Load()
				got, err := b.r.FindByID(ctx, s.id)
				if err != nil {
					t.Error(err)
					return
				}
				stillDown := !b.lis.Connected()
				reads.Add(1)
				want := delivered
				if wasDown && stillDown {
					downReads.Add(1)
					want = acked
				}
				if int64(got.Version) < want {
					stale.Add(1)
					firstStale.CompareAndSwap(nil, fmt.Sprintf("user %d: read v%d, want >= v%d (listener down: %v)", s.id, got.Version, want, wasDown && stillDown))
				}
			}
		}()
	}
	time.Sleep(2 * time.Second)
	for _, s := range slots {
		s.beforeUp.Store(s.acked.Load())
	}
	killed := scalar[int](t, conn, `SELECT count(pg_terminate_backend(pid))::int FROM pg_stat_activity
		WHERE application_name = 'listener-b' AND datname = current_database()`)
	equal(t, "listener backends killed", killed, 1)
	wg.Wait()
	if n := stale.Load(); n > 0 {
		t.Fatalf("%d stale reads of %d; first: %v", n, reads.Load(), firstStale.Load())
	}
	if downReads.Load() == 0 {
		t.Fatalf("no read happened while B's listener was down (%d reads): the outage was not exercised", reads.Load())
	}
	must(t, b.lis.WaitConnected(ctx))
	t.Logf("%d writes, %d reads (%d while B's listener was down), no stale read", writes.Load(), reads.Load(), downReads.Load())
}

// TestListenerCloseReleasesItsConnection: Close of a listener blocked
// waiting for notifications returns promptly and its backend is gone.
func TestListenerCloseReleasesItsConnection(t *testing.T) {
	d, conn := setup(t, usersDDL)
	c := newInstance(t, d, "c", instanceOpts{})
	const q = `SELECT count(*)::int FROM pg_stat_activity WHERE application_name = 'listener-c' AND datname = current_database()`
	equal(t, "listener backends while open", scalar[int](t, conn, q), 1)
	start := time.Now()
	must(t, c.lis.Close())
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Close took %v", d)
	}
	deadline := time.Now().Add(5 * time.Second)
	for scalar[int](t, conn, q) != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the listener's backend outlived Close by 5s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if c.lis.Connected() {
		t.Fatal("Connected after Close")
	}
}

// TestWriteThroughAcrossInstances: with write-through, A's UpdateFields
// leaves the committed row in A's cache (a read sees it although the row
// was changed behind A's back since: a hit), and B is invalidated as
// before; inside a transaction that rolls back, nothing lands.
func TestWriteThroughAcrossInstances(t *testing.T) {
	d, conn := setup(t, usersDDL)
	ctx := ctxT(t)
	a := newInstance(t, d, "a", instanceOpts{repoOpts: []repo.Option{repo.WithWriteThrough()}})
	b := newInstance(t, d, "b", instanceOpts{})
	u := newUser("wt@x")
	must(t, a.r.Create(ctx, u))
	key, _ := b.r.CacheKey(u.ID)
	b.waitSeen(t, key, 1)
	_, err := b.r.FindByID(ctx, u.ID)
	must(t, err)

	out, err := a.r.UpdateFields(ctx, u.ID, map[string]any{"name": "through", "version": u.Version})
	must(t, err)
	_, err = conn.Exec(ctx, "UPDATE users SET name = 'behind' WHERE id = $1", u.ID)
	must(t, err)
	got, err := a.r.FindByID(ctx, u.ID)
	must(t, err)
	equal(t, "A's read after its write (a hit)", got.Name, "through")
	equal(t, "the cached row is the returned row", got.UpdatedAt.Equal(out.UpdatedAt), true)
	b.waitSeen(t, key, 2)
	got, err = b.r.FindByID(ctx, u.ID)
	must(t, err)
	equal(t, "B after the notification reads the database", got.Name, "behind")

	errBoom := errors.New("boom")
	err = a.db.InTx(ctx, func(ctx context.Context) error {
		if _, err := a.r.UpdateFields(ctx, u.ID, map[string]any{"name": "rolled back", "version": out.Version}); err != nil {
			return err
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("InTx: %v", err)
	}
	got, err = a.r.FindByID(ctx, u.ID)
	must(t, err)
	equal(t, "A's cache after a rollback", got.Name, "through")
}
