package repo

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	normpool "github.com/normkit/norm/pool"
	"github.com/normkit/norm/repo"
)

// TestOverPoolDB runs a repository over pool.DB: it joins the ctx-carried
// transaction, CreateBatch stays inside it, and cache invalidation and
// audit wait for the outermost commit.
func TestOverPoolDB(t *testing.T) {
	d, conn := setup(t, usersDDL)
	ctx := ctxT(t)
	db, err := normpool.Open(ctx, normpool.Config{ConnString: d.DSN()})
	must(t, err)
	t.Cleanup(db.Close)
	lru := repo.NewLRU(100, time.Minute, nil)
	aud := &memAuditor{}
	r, err := repo.New[User](db, repo.WithCache(lru, time.Minute), repo.WithAuditor(aud, nil))
	must(t, err)
	u := newUser("pool@x")
	must(t, r.Create(ctx, u))
	_, err = r.FindByID(ctx, u.ID) // fills the cache
	must(t, err)
	key, err := r.CacheKey(u.ID)
	must(t, err)

	errBoom := errors.New("boom")
	err = db.InTx(ctx, func(ctx context.Context) error {
		u.Name = "in tx"
		if err := r.Update(ctx, u); err != nil {
			return err
		}
		if _, ok := lru.Get(ctx, key); !ok {
			t.Error("invalidated before commit")
		}
		got, err := r.FindByID(ctx, u.ID)
		if err != nil {
			return err
		}
		if got.Name != "in tx" {
			t.Errorf("read in tx does not see its write: %q", got.Name)
		}
		items := make([]User, 3)
		for i := range items {
			items[i] = *newUser(fmt.Sprintf("tx%d@x", i))
		}
		if err := r.CreateBatch(ctx, items); err != nil {
			return err
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("InTx: %v", err)
	}
	equal(t, "rolled back with the caller's tx", scalar[int64](t, conn, "SELECT count(*) FROM users"), int64(1))
	equal(t, "no audit for rolled back writes", aud.ops(), []string{"create"})
	got, err := r.FindByID(ctx, u.ID)
	must(t, err)
	equal(t, "cache still right after rollback", got.Name, "n-pool@x")

	err = db.InTx(ctx, func(ctx context.Context) error {
		got.Name = "committed"
		return r.Update(ctx, got)
	})
	must(t, err)
	after, err := r.FindByID(ctx, u.ID)
	must(t, err)
	equal(t, "fresh after commit", after.Name, "committed")
	equal(t, "audit after commit", aud.ops(), []string{"create", "update"})
}
