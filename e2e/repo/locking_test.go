package repo

import (
	"errors"
	"sync"
	"testing"

	"github.com/normkit/norm/repo"
)

func TestOptimisticLocking(t *testing.T) {
	db, conn := setup(t, usersDDL)
	pool := db.Pool(t)
	r, err := repo.New[User](pool)
	must(t, err)
	ctx := ctxT(t)
	u := newUser("v@x")
	must(t, r.Create(ctx, u))

	// Concurrent updates from the same version: exactly one wins.
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := *u
			c.Name = "writer"
			errs[i] = r.Update(ctx, &c)
		}()
	}
	wg.Wait()
	wins, stale := 0, 0
	for _, e := range errs {
		switch {
		case e == nil:
			wins++
		case errors.Is(e, repo.ErrStale) && !errors.Is(e, repo.ErrNotFound):
			stale++
		default:
			t.Fatalf("unexpected error: %v", e)
		}
	}
	equal(t, "winners", wins, 1)
	equal(t, "stale", stale, n-1)
	equal(t, "version in db", scalar[int](t, conn, "SELECT version FROM users WHERE id = $1", u.ID), u.Version+1)

	// A stale copy fails for Update, UpdateFields and Delete; a missing row is ErrNotFound.
	staleCopy := *u
	if err := r.Update(ctx, &staleCopy); !errors.Is(err, repo.ErrStale) {
		t.Fatalf("Update stale: %v", err)
	}
	if _, err := r.UpdateFields(ctx, u.ID, map[string]any{"name": "x", "version": u.Version}); !errors.Is(err, repo.ErrStale) {
		t.Fatalf("UpdateFields stale: %v", err)
	}
	if err := r.Delete(ctx, &staleCopy); !errors.Is(err, repo.ErrStale) {
		t.Fatalf("Delete stale: %v", err)
	}
	if err := r.HardDelete(ctx, &staleCopy); !errors.Is(err, repo.ErrStale) {
		t.Fatalf("HardDelete stale: %v", err)
	}
	gone := *u
	gone.ID = 424242
	if err := r.Update(ctx, &gone); !errors.Is(err, repo.ErrNotFound) || errors.Is(err, repo.ErrStale) {
		t.Fatalf("Update missing: want ErrNotFound, got %v", err)
	}

	// The fresh copy updates and carries the new version back.
	fresh, err := r.FindByID(ctx, u.ID)
	must(t, err)
	before := fresh.Version
	fresh.Name = "again"
	must(t, r.Update(ctx, fresh))
	equal(t, "version refreshed", fresh.Version, before+1)
}
