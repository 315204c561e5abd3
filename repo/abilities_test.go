package repo

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Every ability a repository call needs is in Querier, so a value without
// it is a compile error: these assignments compile only because Querier
// has Begin and CopyFrom, and pgx's transaction satisfies it.
var (
	_ Beginner   = Querier(nil)
	_ CopyFromer = Querier(nil)
	_ Querier    = pgx.Tx(nil)
	_ Runner     = Querier(nil)
)

// txProbeDB is a TxCarrier and AfterCommitter that says whether ctx carries a transaction as
// told, and records the callbacks registered with AfterCommit.
type txProbeDB struct {
	*fakeDB
	inTx       bool
	registered int
}

func (d *txProbeDB) HasTx(context.Context) bool { return d.inTx }

func (d *txProbeDB) AfterCommit(_ context.Context, fn func()) bool {
	if !d.inTx {
		return false
	}
	d.registered++
	return true
}

// TestCacheAsksHasTxWithoutRegistering: whether a read bypasses the cache
// is asked of HasTx; no empty callback is registered with the transaction
// to find out (one was, per FindByID, before TxCarrier).
func TestCacheAsksHasTxWithoutRegistering(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name       string
		inTx       bool
		statements int // sent by FindByID of a cached key
	}{
		{"in a transaction the cache is bypassed", true, 1},
		{"outside one the cache answers", false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := &txProbeDB{fakeDB: &fakeDB{}, inTx: tc.inTx}
			lru := NewLRU(10, time.Minute, nil)
			r, err := New[cachedUser](db, WithCache(lru, time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			lru.Set(ctx, "norm:cached_users:7", cachedUser{ID: 7, Name: "cached"}, 0)
			_, _ = r.FindByID(ctx, int64(7))
			if n := len(db.sqls()); n != tc.statements {
				t.Fatalf("FindByID sent %d statements (%q), want %d", n, db.sqls(), tc.statements)
			}
			if db.registered != 0 {
				t.Fatalf("FindByID registered %d after-commit callbacks to learn whether ctx is in a transaction", db.registered)
			}
		})
	}
}

// TestAbilitiesFoundOnce: New finds the optional abilities of its Querier,
// and WithTx those of the transaction (none, for a pgx.Tx), so a copy
// bound to a transaction never defers to the pool's commit.
func TestAbilitiesFoundOnce(t *testing.T) {
	t.Parallel()
	db := &txProbeDB{fakeDB: &fakeDB{}, inTx: true}
	r, err := New[cachedUser](db)
	if err != nil {
		t.Fatal(err)
	}
	if r.can.tx == nil {
		t.Fatal("New did not find TxCarrier on a Querier that has it")
	}
	tx, _ := db.Begin(context.Background())
	if c := r.WithTx(tx).can; c.tx != nil || c.commit != nil {
		t.Fatal("WithTx kept the pool's abilities for a bare transaction")
	}
}
