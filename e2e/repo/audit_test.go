package repo

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/normkit/norm/repo"
)

type memAuditor struct {
	mu   sync.Mutex
	recs []repo.AuditRecord
	fail error
}

func (a *memAuditor) Audit(_ context.Context, r repo.AuditRecord) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.recs = append(a.recs, r)
	return a.fail
}

func (a *memAuditor) ops() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]string, len(a.recs))
	for i, r := range a.recs {
		out[i] = r.Operation
	}
	return out
}

func TestAudit(t *testing.T) {
	db, _ := setup(t, usersDDL)
	pool := db.Pool(t)
	ctx := repo.WithActor(ctxT(t), "alice")
	at := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	aud := &memAuditor{}
	var auditErrs []error
	r, err := repo.New[User](pool, repo.WithAuditor(aud, func(err error) { auditErrs = append(auditErrs, err) }),
		repo.WithClock(func() time.Time { return at }))
	must(t, err)

	u := newUser("au@x")
	must(t, r.Create(ctx, u))
	u.Name = "changed"
	must(t, r.Update(ctx, u))
	_, err = r.Upsert(ctx, u)
	must(t, err)
	must(t, r.Delete(ctx, u))
	must(t, r.Restore(ctx, u))
	must(t, r.HardDelete(ctx, u))
	equal(t, "operations", aud.ops(), []string{"create", "update", "upsert", "soft_delete", "restore", "delete"})
	first := aud.recs[0]
	equal(t, "actor", first.Actor, "alice")
	equal(t, "table", first.Table, "users")
	equal(t, "at", first.At, at)
	equal(t, "key", first.Key, map[string]any{"id": u.ID})
	equal(t, "after email", first.After["email"], "au@x")
	equal(t, "update changed", aud.recs[1].Changed, []string{"name", "version", "updated_at"})
	equal(t, "upsert changed", aud.recs[2].Changed, []string(nil)) // before image unknown
	equal(t, "soft delete changed", aud.recs[3].Changed, []string{"version", "deleted_at"})
	if aud.recs[3].Before["deleted_at"] != (*time.Time)(nil) || aud.recs[3].After["deleted_at"] == nil {
		t.Fatalf("soft delete before/after: %v / %v", aud.recs[3].Before["deleted_at"], aud.recs[3].After["deleted_at"])
	}
	equal(t, "hard delete before", aud.recs[5].Before["email"], "au@x")

	// After commit only, never on rollback, when the Querier can tell.
	ptx, err := pool.Begin(ctx)
	must(t, err)
	tx := &commitHookTx{Tx: ptx}
	rtx, err := repo.New[User](tx, repo.WithAuditor(aud, nil))
	must(t, err)
	must(t, rtx.Create(ctx, newUser("tx@x")))
	equal(t, "not before commit", len(aud.ops()), 6)
	must(t, tx.Commit(ctx))
	equal(t, "after commit", len(aud.ops()), 7)
	ptx2, err := pool.Begin(ctx)
	must(t, err)
	tx2 := &commitHookTx{Tx: ptx2}
	rtx2, err := repo.New[User](tx2, repo.WithAuditor(aud, nil))
	must(t, err)
	must(t, rtx2.Create(ctx, newUser("rb@x")))
	must(t, tx2.Rollback(ctx))
	equal(t, "not on rollback", len(aud.ops()), 7)

	// A failing auditor does not undo the write; its error goes to the handler.
	aud.fail = errors.New("sink down")
	must(t, r.Create(ctx, newUser("f@x")))
	if len(auditErrs) != 1 || !errors.Is(auditErrs[0], aud.fail) {
		t.Fatalf("audit error handler: %v", auditErrs)
	}
}
