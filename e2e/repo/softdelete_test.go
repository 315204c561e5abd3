package repo

import (
	"errors"
	"testing"
	"time"

	"github.com/normkit/norm/repo"
	"github.com/normkit/norm/sqlb"
)

func TestSoftDeleteScoping(t *testing.T) {
	_, conn := setup(t, usersDDL, `CREATE TABLE notes (id bigserial PRIMARY KEY, user_id bigint NOT NULL REFERENCES users(id), body text NOT NULL)`)
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	r, err := repo.New[User](conn, repo.WithClock(func() time.Time { return now }))
	must(t, err)
	ctx := ctxT(t)
	var users []*User
	for _, e := range []string{"a@x", "b@x", "c@x", "d@x"} {
		u := newUser(e)
		must(t, r.Create(ctx, u))
		users = append(users, u)
		_, err := conn.Exec(ctx, "INSERT INTO notes (user_id, body) VALUES ($1, 'n')", u.ID)
		must(t, err)
	}
	b := users[1]
	must(t, r.Delete(ctx, b))
	if b.DeletedAt == nil || !b.DeletedAt.Equal(now) {
		t.Fatalf("soft delete time not set on entity: %v", b.DeletedAt)
	}
	equal(t, "row kept", scalar[int64](t, conn, "SELECT count(*) FROM users"), int64(4))

	if _, err := r.FindByID(ctx, b.ID); !errors.Is(err, repo.ErrNotFound) {
		t.Fatalf("FindByID of trashed: %v", err)
	}
	n, err := r.Count(ctx)
	must(t, err)
	equal(t, "count scoped", n, int64(3))
	all, err := r.Find(ctx)
	must(t, err)
	equal(t, "find scoped", len(all), 3)
	page, err := r.FindPage(ctx, 1, 2)
	must(t, err)
	equal(t, "page total scoped", page.Total, int64(3))
	equal(t, "page items", len(page.Items), 2)
	// A join through Query() stays scoped and unambiguous (notes has an id too).
	joined, err := r.Query().Join("notes", sqlb.On("notes.user_id", "users.id")).
		Where(sqlb.Eq("notes.body", "n")).OrderBy(sqlb.Asc("users.id")).Find(ctx)
	must(t, err)
	equal(t, "join scoped", len(joined), 3)
	jn, err := r.Query().Join("notes", sqlb.On("notes.user_id", "users.id")).Count(ctx)
	must(t, err)
	equal(t, "join count scoped", jn, int64(3))

	wt, err := r.WithTrashed().Count(ctx)
	must(t, err)
	equal(t, "with trashed", wt, int64(4))
	ot, err := r.OnlyTrashed().Find(ctx)
	must(t, err)
	equal(t, "only trashed", len(ot), 1)
	equal(t, "only trashed id", ot[0].ID, b.ID)
	got, err := r.WithTrashed().FindByID(ctx, b.ID)
	must(t, err)
	equal(t, "with trashed find", got.Email, "b@x")

	if err := r.Delete(ctx, b); !errors.Is(err, repo.ErrNotFound) {
		t.Fatalf("delete twice: want ErrNotFound, got %v", err)
	}
	must(t, r.Restore(ctx, b))
	if b.DeletedAt != nil {
		t.Fatalf("restore did not clear entity: %v", b.DeletedAt)
	}
	n, err = r.Count(ctx)
	must(t, err)
	equal(t, "restored", n, int64(4))
	if err := r.Restore(ctx, b); !errors.Is(err, repo.ErrNotFound) {
		t.Fatalf("restore live: want ErrNotFound, got %v", err)
	}

	// DeleteWhere soft-deletes; PurgeTrashed removes old trash only.
	dn, err := r.DeleteWhere(ctx, sqlb.In("email", []string{"c@x", "d@x"}))
	must(t, err)
	equal(t, "delete where", dn, int64(2))
	equal(t, "still stored", scalar[int64](t, conn, "SELECT count(*) FROM users"), int64(4))
	purged, err := r.PurgeTrashed(ctx, time.Hour)
	must(t, err)
	equal(t, "nothing old enough", purged, int64(0))
	now = now.Add(2 * time.Hour)
	_, err = conn.Exec(ctx, "DELETE FROM notes")
	must(t, err)
	purged, err = r.PurgeTrashed(ctx, time.Hour)
	must(t, err)
	equal(t, "purged", purged, int64(2))

	// HardDelete removes the row for real.
	a := users[0]
	fresh, err := r.FindByID(ctx, a.ID)
	must(t, err)
	must(t, r.HardDelete(ctx, fresh))
	equal(t, "hard deleted", scalar[int64](t, conn, "SELECT count(*) FROM users WHERE id = $1", a.ID), int64(0))
}
