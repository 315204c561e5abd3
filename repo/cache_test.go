package repo

import (
	"context"
	"testing"
	"time"
)

type cachedUser struct {
	ID   int64  `db:"id" norm:"pk"`
	Name string `db:"name"`
}

// afterCommitDB is a TxCarrier and AfterCommitter: it says every ctx
// carries a transaction, and defers callbacks like pool.DB inside one.
type afterCommitDB struct {
	*fakeDB
	pending []func()
}

func (a *afterCommitDB) HasTx(context.Context) bool { return true }

func (a *afterCommitDB) AfterCommit(_ context.Context, fn func()) bool {
	a.pending = append(a.pending, fn)
	return true
}

func TestCacheInvalidationWaitsForCommit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	lru := NewLRU(10, time.Minute, nil)
	db := &afterCommitDB{fakeDB: &fakeDB{affect: 1}}
	r, err := New[cachedUser](db, WithCache(lru, time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	lru.Set(ctx, "norm:cached_users:7", cachedUser{ID: 7, Name: "old"}, 0)
	if err := r.Update(ctx, &cachedUser{ID: 7, Name: "new"}); err != nil {
		t.Fatal(err)
	}
	if _, ok := lru.Get(ctx, "norm:cached_users:7"); !ok {
		t.Fatal("invalidated before commit")
	}
	// Inside the transaction, FindByID bypasses the cache.
	_, _ = r.FindByID(ctx, int64(7))
	if n := len(db.sqls()); n != 2 {
		t.Fatalf("read in tx served from cache: %q", db.sqls())
	}
	for _, fn := range db.pending {
		fn()
	}
	if _, ok := lru.Get(ctx, "norm:cached_users:7"); ok {
		t.Fatal("not invalidated after commit")
	}
}
