package repo

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/normkit/norm/repo"
	"github.com/normkit/norm/sqlb"
)

// commitHookTx is a pgx.Tx with the AfterCommit ability that pool.DB
// provides: callbacks run after a successful Commit, never after Rollback.
type commitHookTx struct {
	pgx.Tx
	mu    sync.Mutex
	hooks []func()
}

func (c *commitHookTx) AfterCommit(_ context.Context, fn func()) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hooks = append(c.hooks, fn)
	return true
}

func (c *commitHookTx) Commit(ctx context.Context) error {
	if err := c.Tx.Commit(ctx); err != nil {
		return err
	}
	for _, fn := range c.hooks {
		fn()
	}
	return nil
}

func TestCacheReadThroughAndInvalidation(t *testing.T) {
	db, conn := setup(t, usersDDL)
	pool := db.Pool(t)
	ctx := ctxT(t)
	lru := repo.NewLRU(100, time.Minute, nil)
	r, err := repo.New[User](pool, repo.WithCache(lru, time.Minute))
	must(t, err)
	u := newUser("c@x")
	must(t, r.Create(ctx, u))

	got, err := r.FindByID(ctx, u.ID)
	must(t, err)
	equal(t, "cached", lru.Len(), 1)
	// A change behind the repository's back is not seen: proof the read is cached.
	_, err = conn.Exec(ctx, "UPDATE users SET name = 'behind' WHERE id = $1", u.ID)
	must(t, err)
	got2, err := r.FindByID(ctx, u.ID)
	must(t, err)
	equal(t, "served from cache", got2.Name, got.Name)

	// A write through the repository invalidates immediately (no tx).
	fresh := *got2
	fresh.Name = "via repo"
	fresh.Version = scalar[int](t, conn, "SELECT version FROM users WHERE id = $1", u.ID)
	must(t, r.Update(ctx, &fresh))
	got3, err := r.FindByID(ctx, u.ID)
	must(t, err)
	equal(t, "fresh after write", got3.Name, "via repo")

	// In a transaction with after-commit: the cache keeps serving the
	// committed value until commit, and is invalidated right after it.
	ptx, err := pool.Begin(ctx)
	must(t, err)
	tx := &commitHookTx{Tx: ptx}
	rtx, err := repo.New[User](tx, repo.WithCache(lru, time.Minute))
	must(t, err)
	inTx := *got3
	inTx.Name = "in tx"
	must(t, rtx.Update(ctx, &inTx))
	seen, err := rtx.FindByID(ctx, u.ID)
	must(t, err)
	equal(t, "tx reads its own write", seen.Name, "in tx")
	outside, err := r.FindByID(ctx, u.ID)
	must(t, err)
	equal(t, "outside sees committed value", outside.Name, "via repo")
	must(t, tx.Commit(ctx))
	after, err := r.FindByID(ctx, u.ID)
	must(t, err)
	equal(t, "never stale after commit", after.Name, "in tx")

	// A rolled-back write leaves the cache alone (and it stays correct).
	ptx2, err := pool.Begin(ctx)
	must(t, err)
	tx2 := &commitHookTx{Tx: ptx2}
	rtx2, err := repo.New[User](tx2, repo.WithCache(lru, time.Minute))
	must(t, err)
	rb := *after
	rb.Name = "rolled back"
	must(t, rtx2.Update(ctx, &rb))
	must(t, tx2.Rollback(ctx))
	equal(t, "hooks not run on rollback", lru.Len(), 1)
	final, err := r.FindByID(ctx, u.ID)
	must(t, err)
	equal(t, "rollback leaves cache", final.Name, "in tx")

	// UpdateWhere invalidates the rows it touched (their keys come back
	// through RETURNING).
	_, err = r.FindByID(ctx, u.ID)
	must(t, err)
	n, err := r.UpdateWhere(ctx, map[string]any{"name": "bulk"}, sqlb.Eq("email", "c@x"))
	must(t, err)
	equal(t, "bulk updated", n, int64(1))
	bulk, err := r.FindByID(ctx, u.ID)
	must(t, err)
	equal(t, "fresh after UpdateWhere", bulk.Name, "bulk")
	final = bulk

	// Delete invalidates; extra keys go too.
	lru.Set(ctx, "list:all", "x", 0)
	r2, err := repo.New[User](pool, repo.WithCache(lru, time.Minute),
		repo.WithInvalidateKeys(func(repo.Key) []string { return []string{"list:all"} }))
	must(t, err)
	must(t, r2.Delete(ctx, final))
	if _, ok := lru.Get(ctx, "list:all"); ok {
		t.Fatal("extra key not invalidated")
	}
	if _, err := r.FindByID(ctx, u.ID); !errors.Is(err, repo.ErrNotFound) {
		t.Fatalf("deleted entity served from cache: %v", err)
	}
}

func TestCacheConcurrentReadersNeverStale(t *testing.T) {
	db, _ := setup(t, usersDDL)
	pool := db.Pool(t)
	ctx := ctxT(t)
	lru := repo.NewLRU(100, time.Minute, nil)
	r, err := repo.New[User](pool, repo.WithCache(lru, time.Minute))
	must(t, err)
	u := newUser("race@x")
	must(t, r.Create(ctx, u))
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				_, _ = r.FindByID(ctx, u.ID)
			}
		}()
	}
	for i := range 30 {
		u.Score = i + 100
		must(t, r.Update(ctx, u))
		got, err := r.FindByID(ctx, u.ID)
		must(t, err)
		equal(t, "read after committed write", got.Score, i+100)
	}
	close(stop)
	wg.Wait()
	got, err := r.FindByID(ctx, u.ID)
	must(t, err)
	equal(t, "final", got.Score, 129)
}

func TestThroughPgBouncer(t *testing.T) {
	db, _ := setup(t, usersDDL)
	ctx := ctxT(t)
	cfg, err := pgx.ParseConfig(db.BouncerDSN(t))
	must(t, err)
	cfg.DefaultQueryExecMode = pgx.QueryExecModeCacheDescribe
	conn, err := pgx.ConnectConfig(ctx, cfg)
	must(t, err)
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	r, err := repo.New[User](conn)
	must(t, err)
	u := newUser("pgb@x")
	must(t, r.Create(ctx, u))
	u.Name = "bounced"
	must(t, r.Update(ctx, u))
	got, err := r.FindByID(ctx, u.ID)
	must(t, err)
	equal(t, "through pgbouncer", got.Name, "bounced")
	items := []User{*newUser("b1@x"), *newUser("b2@x")}
	must(t, r.CreateBatch(ctx, items))
	n, err := r.Count(ctx)
	must(t, err)
	equal(t, "count", n, int64(3))
	copied, err := r.CopyFrom(ctx, []User{{ID: 1000, Email: "cp@x", Name: "c"}})
	must(t, err)
	equal(t, "copy", copied, int64(1))
	must(t, r.Delete(ctx, got))
	if _, err := r.FindByID(ctx, u.ID); !errors.Is(err, repo.ErrNotFound) {
		t.Fatalf("after delete: %v", err)
	}
}
