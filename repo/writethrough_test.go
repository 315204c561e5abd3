package repo

import (
	"context"
	"testing"
	"time"
)

// rowDB answers every QueryRow with the row (7, name()), as a RETURNING
// of the whole row would.
func rowDB(name func() string) *fakeDB {
	return &fakeDB{affect: 1, row: func(_ string, dest []any) error {
		*dest[0].(*int64) = 7
		*dest[1].(*string) = name()
		return nil
	}}
}

func cachedName(t *testing.T, lru *LRU) (string, bool) {
	t.Helper()
	v, ok := lru.Get(context.Background(), "norm:cached_users:7")
	if !ok {
		return "", false
	}
	return v.(cachedUser).Name, true
}

func TestWriteThroughPutsTheCommittedRowAfterCommit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	set := map[string]any{"name": "sent"}
	tests := []struct {
		name     string
		q        func(db *fakeDB) Querier
		opts     []Option
		commit   bool   // run the after-commit callbacks
		want     string // cached name after; "" for none
		inTxWant string // cached name before the commit
	}{
		{"outside a transaction: the returned row at once", func(db *fakeDB) Querier { return db }, []Option{WithWriteThrough()}, false, "returned", ""},
		{"in a transaction: after its commit", func(db *fakeDB) Querier { return &afterCommitDB{fakeDB: db} }, []Option{WithWriteThrough()}, true, "returned", "old"},
		{"rolled back: the old row stays", func(db *fakeDB) Querier { return &afterCommitDB{fakeDB: db} }, []Option{WithWriteThrough()}, false, "old", "old"},
		{"bound pgx.Tx cannot tell its commit: deleted only", func(db *fakeDB) Querier { return &fakeTx{fakeDB: db} }, []Option{WithWriteThrough()}, false, "", ""},
		{"with WithNotify: after the wrapping commit", func(db *fakeDB) Querier { return fakeBeginner{db} }, []Option{WithWriteThrough(), WithNotify("")}, false, "returned", ""},
		{"without the option: deleted only", func(db *fakeDB) Querier { return db }, nil, false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			lru := NewLRU(10, time.Minute, nil)
			db := rowDB(func() string { return "returned" })
			q := tt.q(db)
			r, err := New[cachedUser](q, append([]Option{WithCache(lru, time.Minute)}, tt.opts...)...)
			if err != nil {
				t.Fatal(err)
			}
			lru.Set(ctx, "norm:cached_users:7", cachedUser{ID: 7, Name: "old"}, 0)
			if _, err := r.UpdateFields(ctx, int64(7), set); err != nil {
				t.Fatal(err)
			}
			if got, _ := cachedName(t, lru); got != tt.inTxWant && tt.inTxWant != "" {
				t.Fatalf("before commit: cached %q, want %q", got, tt.inTxWant)
			}
			if ac, ok := q.(*afterCommitDB); ok && tt.commit {
				for _, fn := range ac.pending {
					fn()
				}
			}
			if got, _ := cachedName(t, lru); got != tt.want {
				t.Fatalf("cached %q, want %q", got, tt.want)
			}
		})
	}
}

// TestWriteThroughNeverLandsASupersededRow: two writes of one key commit
// in order, but their callbacks run in the other order (the first write's
// goroutine was descheduled); the first write's row must not end up
// cached. Likewise when a notification from another process evicted the
// key between the write and its callback.
func TestWriteThroughNeverLandsASupersededRow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("a later write's callback ran first", func(t *testing.T) {
		t.Parallel()
		lru := NewLRU(10, time.Minute, nil)
		name := "first"
		db := &afterCommitDB{fakeDB: rowDB(func() string { return name })}
		r, err := New[cachedUser](db, WithCache(lru, time.Minute), WithWriteThrough())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.UpdateFields(ctx, int64(7), map[string]any{"name": "first"}); err != nil {
			t.Fatal(err)
		}
		name = "second"
		if _, err := r.UpdateFields(ctx, int64(7), map[string]any{"name": "second"}); err != nil {
			t.Fatal(err)
		}
		db.pending[1]() // the second write's callback
		db.pending[0]() // then the first's, late
		if got, ok := cachedName(t, lru); ok && got != "second" {
			t.Fatalf("cached %q after both commits, want the second row or nothing", got)
		}
	})
	t.Run("a remote eviction came in between", func(t *testing.T) {
		t.Parallel()
		l := &Listener{cfg: ListenerConfig{Channel: DefaultChannel}, ready: make(chan struct{})}
		lru := NewLRU(10, time.Minute, nil)
		c := l.Guard(lru)
		l.setUp(true)
		db := &afterCommitDB{fakeDB: rowDB(func() string { return "mine" })}
		r, err := New[cachedUser](db, WithCache(c, time.Minute), WithWriteThrough())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.UpdateFields(ctx, int64(7), map[string]any{"name": "mine"}); err != nil {
			t.Fatal(err)
		}
		l.apply(ctx, `["norm:cached_users:7"]`) // another process committed a later write
		db.pending[0]()
		if got, ok := cachedName(t, lru); ok {
			t.Fatalf("cached %q although a later write was notified before the callback", got)
		}
	})
}
