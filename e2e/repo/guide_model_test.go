package repo

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/normkit/norm/migrate"
	"github.com/normkit/norm/repo"
)

// TestGuideModel runs the model of docs/guides/repo.md ("Construction")
// on a table migrate created from it: a zero default:true bool and a zero
// default:now() time are left to the database on Create, CreateBatch,
// Upsert and UpsertBatch (not stored as false and year 1), and upserts on
// its unique email work although migrate made that a partial unique index
// (the model is soft-delete).
func TestGuideModel(t *testing.T) {
	// The guide's model, verbatim (declared here so its table is "users").
	type User struct {
		ID        int64      `db:"id" norm:"pk,identity"`
		Email     string     `db:"email" norm:"unique"`
		Name      string     `db:"name"`
		Active    bool       `db:"active" norm:"default:true"`
		Version   int        `db:"version" norm:"version"`
		UpdatedAt time.Time  `db:"updated_at" norm:"default:now(),on_update:now()"`
		DeletedAt *time.Time `db:"deleted_at"` // soft delete by convention
	}
	db, conn := setup(t)
	ctx := ctxT(t)
	auto, err := migrate.NewAuto(db.Pool(t), []any{User{}}, migrate.AutoOptions{})
	must(t, err)
	_, err = auto.Apply(ctx)
	must(t, err)
	users, err := repo.New[User](conn)
	must(t, err)
	before := time.Now().Add(-time.Minute)
	fresh := func(what string, u User) {
		t.Helper()
		if !u.Active || u.UpdatedAt.Before(before) || u.ID == 0 {
			t.Fatalf("%s: got %+v, want active, updated_at now and an id", what, u)
		}
		stored := scalar[bool](t, conn, "SELECT active AND updated_at > now() - interval '1 minute' FROM users WHERE id = $1", u.ID)
		equal(t, what+": stored active with updated_at now", stored, true)
	}

	u := User{Email: "ann@x", Name: "Ann"}
	must(t, users.Create(ctx, &u))
	fresh("Create", u)

	items := []User{{Email: "b1@x", Name: "B1"}, {Email: "b2@x", Name: "B2", Active: true}}
	must(t, users.CreateBatch(ctx, items))
	for _, it := range items {
		fresh("CreateBatch "+it.Email, it)
	}

	up := User{Email: "ann@x", Name: "Ann B."}
	ok, err := users.Upsert(ctx, &up, repo.OnConflict("email"))
	must(t, err)
	equal(t, "Upsert wrote", ok, true)
	equal(t, "Upsert updated Ann's row", up.ID, u.ID)
	equal(t, "Upsert name", up.Name, "Ann B.")
	equal(t, "Upsert bumped the version", up.Version, u.Version+1)
	fresh("Upsert", up)

	batch := []User{{Email: "b1@x", Name: "B1 again"}, {Email: "c@x", Name: "C"}}
	n, err := users.UpsertBatch(ctx, batch, repo.OnConflict("email"))
	must(t, err)
	equal(t, "UpsertBatch count", n, int64(2))
	equal(t, "UpsertBatch updated b1", batch[0].ID, items[0].ID)
	fresh("UpsertBatch update", batch[0])
	fresh("UpsertBatch insert", batch[1])

	// A soft-deleted row is outside the partial unique index: the same
	// email upserts a new live row and leaves the deleted one alone.
	must(t, users.Delete(ctx, &batch[1]))
	re := User{Email: "c@x", Name: "C again"}
	ok, err = users.Upsert(ctx, &re, repo.OnConflict("email"))
	must(t, err)
	equal(t, "Upsert over a soft-deleted email wrote", ok, true)
	if re.ID == batch[1].ID {
		t.Fatalf("Upsert revived soft-deleted row %d", re.ID)
	}
	equal(t, "rows with c@x", scalar[int64](t, conn, "SELECT count(*) FROM users WHERE email = 'c@x'"), int64(2))
}

// TestGuideModelIsTheGuides keeps TestGuideModel's model the one
// docs/guides/repo.md shows: every field line of the guide's User appears
// in this file verbatim.
func TestGuideModelIsTheGuides(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../../docs/guides/repo.md")
	must(t, err)
	src, err := os.ReadFile("guide_model_test.go")
	must(t, err)
	block := regexp.MustCompile("(?s)type User struct \\{\n(.*?)\n\\}").FindSubmatch(doc)
	if block == nil {
		t.Fatal("docs/guides/repo.md shows no User model")
	}
	for _, line := range strings.Split(string(block[1]), "\n") {
		if !strings.Contains(string(src), strings.TrimSpace(line)) {
			t.Errorf("the guide's field %q is not in TestGuideModel's model", strings.TrimSpace(line))
		}
	}
}
