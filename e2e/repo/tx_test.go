package repo

import (
	"errors"
	"testing"

	"github.com/normkit/norm/repo"
	"github.com/normkit/norm/sqlb"
)

func TestWithTxAndQueryDelete(t *testing.T) {
	_, conn := setup(t, usersDDL)
	r, err := repo.New[User](conn)
	must(t, err)
	ctx := ctxT(t)
	for _, e := range []string{"a@x", "b@x", "c@x"} {
		must(t, r.Create(ctx, newUser(e)))
	}

	tx, err := conn.Begin(ctx)
	must(t, err)
	rtx := r.WithTx(tx)
	n, err := rtx.Query().Where(sqlb.In("email", []string{"a@x", "b@x"})).Delete(ctx)
	must(t, err)
	equal(t, "query delete count", n, int64(2))
	live, err := rtx.Count(ctx)
	must(t, err)
	equal(t, "tx sees its own delete", live, int64(1))
	must(t, tx.Rollback(ctx))
	live, err = r.Count(ctx)
	must(t, err)
	equal(t, "rolled back", live, int64(3))

	if _, err := r.Query().Join(sqlb.As("users", "u2"), sqlb.On("u2.id", "users.id")).Delete(ctx); !errors.Is(err, repo.ErrInvalid) {
		t.Fatalf("delete with join: want ErrInvalid, got %v", err)
	}
	if _, err := r.Query().Delete(ctx); !errors.Is(err, repo.ErrInvalid) {
		t.Fatalf("delete without condition: want ErrInvalid, got %v", err)
	}
	n, err = r.Query().Where(repo.AllRows()).Delete(ctx)
	must(t, err)
	equal(t, "explicit all rows", n, int64(3))
	trashed, err := r.Query().OnlyTrashed().Count(ctx)
	must(t, err)
	equal(t, "all soft-deleted", trashed, int64(3))
}
