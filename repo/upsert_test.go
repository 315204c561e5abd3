package repo

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestUpsertSpecKeys: every option gives the spec a key of its own, apart
// from the default's (which upsertSpec.key returns without concatenating).
func TestUpsertSpecKeys(t *testing.T) {
	t.Parallel()
	if got, want := upsertOf(nil).key(), (upsertSpec{}).fullKey(); got != want {
		t.Errorf("key of the default spec = %q, want %q", got, want)
	}
	seen := map[string]string{defaultSpecKey: "no option"}
	for name, opt := range map[string]UpsertOption{
		"OnConflict":      OnConflict("email"),
		"OnConstraint":    OnConstraint("users_email_key"),
		"UpdateColumns":   UpdateColumns("name"),
		"UpdateColumns()": UpdateColumns(),
		"DoNothing":       DoNothing(),
	} {
		k := upsertOf([]UpsertOption{opt}).key()
		if other, dup := seen[k]; dup {
			t.Errorf("%s has the key of %s", name, other)
		}
		seen[k] = name
	}
}

type softEmail struct {
	ID        int64      `db:"id"`
	Email     string     `db:"email" norm:"unique"`
	Name      string     `db:"name"`
	DeletedAt *time.Time `db:"deleted_at"`
}

// TestUpsertPartialUniqueTarget: a soft-delete model's unique group is a
// partial unique index (sqlb's rule, which migrate follows), so the
// conflict target carries its predicate — without it PostgreSQL answers
// 42P10.
func TestUpsertPartialUniqueTarget(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := &fakeDB{}
	r, err := New[softEmail](db)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = r.Upsert(ctx, &softEmail{Email: "a"}, OnConflict("email"))
	_, _ = r.Upsert(ctx, &softEmail{ID: 1, Email: "a"}) // the primary key is never partial
	got := db.sqls()
	want := []string{`ON CONFLICT ("email") WHERE ("deleted_at" IS NULL) DO UPDATE`, `ON CONFLICT ("id") DO UPDATE`}
	var stmts []string
	for _, s := range got {
		if strings.HasPrefix(s, "INSERT") {
			stmts = append(stmts, s)
		}
	}
	if len(stmts) != len(want) {
		t.Fatalf("statements %q", got)
	}
	for i, w := range want {
		if !strings.Contains(stmts[i], w) {
			t.Errorf("statement %d: %s\nwant %s", i, stmts[i], w)
		}
	}
}
