package quickstart

import (
	"testing"

	"github.com/normkit/norm/repo"
)

// TestQuickstartUserUpsert upserts the quickstart's User, whose table
// migrate created: its unique email became a partial unique index (WHERE
// deleted_at IS NULL), so the conflict target must carry that predicate
// or PostgreSQL finds no index for ON CONFLICT (42P10).
func TestQuickstartUserUpsert(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	_, users, _ := newApp(t)
	first := User{Email: "ada@x.io", Name: "Ada"}
	if err := users.Create(ctx, &first); err != nil {
		t.Fatal(err)
	}
	again := User{Email: "ada@x.io", Name: "Ada Lovelace"}
	ok, err := users.Upsert(ctx, &again, repo.OnConflict("email"))
	if err != nil || !ok {
		t.Fatalf("Upsert = %v, %v", ok, err)
	}
	if again.ID != first.ID || again.Name != "Ada Lovelace" || again.CreatedAt.IsZero() {
		t.Fatalf("upserted %+v, want the row of id %d renamed", again, first.ID)
	}
	batch := []User{{Email: "ada@x.io", Name: "Countess"}, {Email: "bob@x.io", Name: "Bob"}}
	n, err := users.UpsertBatch(ctx, batch, repo.OnConflict("email"))
	if err != nil || n != 2 {
		t.Fatalf("UpsertBatch = %d, %v", n, err)
	}
	if batch[0].ID != first.ID || batch[0].Name != "Countess" || batch[1].ID == 0 || batch[1].ID == first.ID {
		t.Fatalf("UpsertBatch back-filled %+v", batch)
	}
	got, err := users.FindByID(ctx, first.ID)
	if err != nil || got.Name != "Countess" {
		t.Fatalf("stored %+v, %v", got, err)
	}
}
