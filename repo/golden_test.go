package repo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/normkit/norm/sqlb"
)

type gUser struct {
	ID        int64      `db:"id" norm:"pk,identity"`
	Email     string     `db:"email"`
	Active    bool       `db:"active" norm:"default:true"`
	Nick      *string    `db:"nick" norm:"default:'anon'"`
	Version   int        `db:"version" norm:"version"`
	UpdatedAt time.Time  `db:"updated_at" norm:"on_update:now()"`
	DeletedAt *time.Time `db:"deleted_at"`
}

func (gUser) TableName() string { return "app.users" }

type gPlain struct {
	TeamID int64  `db:"team_id" norm:"pk"`
	UserID int64  `db:"user_id" norm:"pk"`
	Role   string `db:"role"`
}

const (
	cols  = `"id", "email", "active", "nick", "version", "updated_at", "deleted_at"`
	qcols = `"app"."users"."id", "app"."users"."email", "app"."users"."active", "app"."users"."nick", "app"."users"."version", "app"."users"."updated_at", "app"."users"."deleted_at"`
)

func TestGoldenSQL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	at := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		run  func(r *Repository[gUser]) error
		want []string
	}{
		{"FindByID", func(r *Repository[gUser]) error { _, err := r.FindByID(ctx, int64(1)); return err },
			[]string{`SELECT ` + cols + ` FROM "app"."users" WHERE "id" = $1 AND "deleted_at" IS NULL`}},
		{"FindByID with trashed", func(r *Repository[gUser]) error { _, err := r.WithTrashed().FindByID(ctx, int64(1)); return err },
			[]string{`SELECT ` + cols + ` FROM "app"."users" WHERE "id" = $1`}},
		{"FindByID only trashed", func(r *Repository[gUser]) error { _, err := r.OnlyTrashed().FindByID(ctx, int64(1)); return err },
			[]string{`SELECT ` + cols + ` FROM "app"."users" WHERE "id" = $1 AND "deleted_at" IS NOT NULL`}},
		{"Find", func(r *Repository[gUser]) error { _, err := r.Find(ctx, sqlb.Eq("email", "a")); return err },
			[]string{`SELECT ` + qcols + ` FROM "app"."users" WHERE "email" = $1 AND "app"."users"."deleted_at" IS NULL`}},
		{"Last multi-column", func(r *Repository[gUser]) error {
			_, err := r.Query().OrderBy(sqlb.Asc("email"), sqlb.Desc("id").NullsLast()).Last(ctx)
			if errors.Is(err, ErrNotFound) { // the fake returns no rows
				return nil
			}
			return err
		}, []string{`SELECT ` + qcols + ` FROM "app"."users" WHERE "app"."users"."deleted_at" IS NULL ORDER BY "email" DESC, "id" ASC NULLS FIRST LIMIT $1`}},
		{"Count", func(r *Repository[gUser]) error { _, err := r.Count(ctx, sqlb.Eq("active", true)); return err },
			[]string{`SELECT count(*) FROM "app"."users" WHERE "active" = $1 AND "app"."users"."deleted_at" IS NULL`}},
		{"Exists", func(r *Repository[gUser]) error { _, err := r.Exists(ctx); return err },
			[]string{`SELECT EXISTS (SELECT 1 FROM "app"."users" WHERE "app"."users"."deleted_at" IS NULL)`}},
		{"Create", func(r *Repository[gUser]) error { return r.Create(ctx, &gUser{Email: "a"}) },
			[]string{`INSERT INTO "app"."users" ("email", "version", "updated_at", "deleted_at") VALUES ($1, $2, $3, $4) RETURNING "id", "active", "nick"`}},
		{"Update", func(r *Repository[gUser]) error { return r.Update(ctx, &gUser{ID: 1, Email: "a"}) },
			[]string{`UPDATE "app"."users" SET "email" = $1, "active" = $2, "nick" = $3, "version" = ("version" + 1), "updated_at" = (now()) WHERE "id" = $4 AND "version" = $5 AND "deleted_at" IS NULL RETURNING "version", "updated_at", "deleted_at"`}},
		{"Update with trashed", func(r *Repository[gUser]) error { return r.WithTrashed().Update(ctx, &gUser{ID: 1, Email: "a"}) },
			[]string{`UPDATE "app"."users" SET "email" = $1, "active" = $2, "nick" = $3, "version" = ("version" + 1), "updated_at" = (now()) WHERE "id" = $4 AND "version" = $5 RETURNING "version", "updated_at", "deleted_at"`}},
		{"Update only trashed", func(r *Repository[gUser]) error { return r.OnlyTrashed().Update(ctx, &gUser{ID: 1, Email: "a"}) },
			[]string{`UPDATE "app"."users" SET "email" = $1, "active" = $2, "nick" = $3, "version" = ("version" + 1), "updated_at" = (now()) WHERE "id" = $4 AND "version" = $5 AND "deleted_at" IS NOT NULL RETURNING "version", "updated_at", "deleted_at"`}},
		{"UpdateFields with trashed", func(r *Repository[gUser]) error {
			_, err := r.WithTrashed().UpdateFields(ctx, int64(1), map[string]any{"email": "b", "version": 3})
			return err
		}, []string{`UPDATE "app"."users" SET "email" = $1, "version" = ("version" + 1), "updated_at" = (now()) WHERE "id" = $2 AND "version" = $3 RETURNING ` + cols}},
		{"Delete (soft) ignores the view", func(r *Repository[gUser]) error { return r.WithTrashed().Delete(ctx, &gUser{ID: 1, Version: 2}) },
			[]string{`UPDATE "app"."users" SET "version" = ("version" + 1), "deleted_at" = $1 WHERE "id" = $2 AND "version" = $3 AND "deleted_at" IS NULL RETURNING "deleted_at", "version"`}},
		{"UpdateFields", func(r *Repository[gUser]) error {
			_, err := r.UpdateFields(ctx, int64(1), map[string]any{"email": "b", "active": false, "version": 3})
			return err
		}, []string{`UPDATE "app"."users" SET "email" = $1, "active" = $2, "version" = ("version" + 1), "updated_at" = (now()) WHERE "id" = $3 AND "version" = $4 AND "deleted_at" IS NULL RETURNING ` + cols}},
		{"Delete (soft)", func(r *Repository[gUser]) error { return r.Delete(ctx, &gUser{ID: 1, Version: 2}) },
			[]string{`UPDATE "app"."users" SET "version" = ("version" + 1), "deleted_at" = $1 WHERE "id" = $2 AND "version" = $3 AND "deleted_at" IS NULL RETURNING "deleted_at", "version"`}},
		{"Restore", func(r *Repository[gUser]) error { return r.Restore(ctx, &gUser{ID: 1}) },
			[]string{`UPDATE "app"."users" SET "version" = ("version" + 1), "deleted_at" = $1 WHERE "id" = $2 AND "version" = $3 AND "deleted_at" IS NOT NULL RETURNING "deleted_at", "version"`}},
		{"PurgeTrashed", func(r *Repository[gUser]) error { _, err := r.PurgeTrashed(ctx, time.Hour); return err },
			[]string{`DELETE FROM "app"."users" WHERE "deleted_at" < $1`}},
		{"DeleteWhere (soft)", func(r *Repository[gUser]) error { _, err := r.DeleteWhere(ctx, sqlb.Eq("email", "x")); return err },
			[]string{`UPDATE "app"."users" SET "deleted_at" = $1, "version" = ("version" + 1) WHERE "email" = $2 AND "deleted_at" IS NULL RETURNING "id"`}},
		{"UpdateWhere", func(r *Repository[gUser]) error {
			_, err := r.UpdateWhere(ctx, map[string]any{"active": false}, sqlb.Eq("email", "x"))
			return err
		}, []string{`UPDATE "app"."users" SET "active" = $1, "version" = ("version" + 1), "updated_at" = (now()) WHERE "email" = $2 AND "deleted_at" IS NULL RETURNING "id"`}},
		{"Upsert", func(r *Repository[gUser]) error {
			_, err := r.Upsert(ctx, &gUser{Email: "a"}, OnConflict("email"))
			return err
		},
			[]string{`INSERT INTO "app"."users" ("email", "active", "nick", "version", "updated_at", "deleted_at") VALUES ($1, DEFAULT, DEFAULT, $2, $3, $4) ON CONFLICT ("email") DO UPDATE SET "active" = EXCLUDED."active", "nick" = EXCLUDED."nick", "version" = ("users"."version" + 1), "updated_at" = (now()) WHERE "users"."deleted_at" IS NULL RETURNING ` + cols}},
		{"Upsert with trashed", func(r *Repository[gUser]) error {
			_, err := r.WithTrashed().Upsert(ctx, &gUser{Email: "a"}, OnConflict("email"))
			return err
		},
			[]string{`INSERT INTO "app"."users" ("email", "active", "nick", "version", "updated_at", "deleted_at") VALUES ($1, DEFAULT, DEFAULT, $2, $3, $4) ON CONFLICT ("email") DO UPDATE SET "active" = EXCLUDED."active", "nick" = EXCLUDED."nick", "version" = ("users"."version" + 1), "updated_at" = (now()) RETURNING ` + cols}},
		{"Upsert only trashed", func(r *Repository[gUser]) error {
			_, err := r.OnlyTrashed().Upsert(ctx, &gUser{Email: "a"}, OnConflict("email"), UpdateColumns("active"))
			return err
		},
			[]string{`INSERT INTO "app"."users" ("email", "active", "nick", "version", "updated_at", "deleted_at") VALUES ($1, DEFAULT, DEFAULT, $2, $3, $4) ON CONFLICT ("email") DO UPDATE SET "active" = EXCLUDED."active", "version" = ("users"."version" + 1), "updated_at" = (now()) WHERE "users"."deleted_at" IS NOT NULL RETURNING ` + cols}},
		{"Upsert do nothing", func(r *Repository[gUser]) error {
			_, err := r.Upsert(ctx, &gUser{Email: "a"}, OnConstraint("users_email_key"), DoNothing())
			return err
		}, []string{`INSERT INTO "app"."users" ("email", "active", "nick", "version", "updated_at", "deleted_at") VALUES ($1, DEFAULT, DEFAULT, $2, $3, $4) ON CONFLICT ON CONSTRAINT "users_email_key" DO NOTHING RETURNING ` + cols}},
		{"CreateBatch", func(r *Repository[gUser]) error {
			// The fake returns no rows: two inserted, none returned.
			if err := r.CreateBatch(ctx, []gUser{{Email: "a"}, {Email: "b"}}); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "2 of 2 rows were not returned") {
				return fmt.Errorf("CreateBatch with rows missing from RETURNING = %w, want ErrInvalid naming 2 of 2", err)
			}
			return nil
		},
			// Every Querier can Begin: the batch runs in a transaction,
			// rolled back by the short RETURNING.
			[]string{"BEGIN", `INSERT INTO "app"."users" ("email", "active", "nick", "version", "updated_at", "deleted_at") VALUES ($1, DEFAULT, DEFAULT, $2, $3, $4), ($5, DEFAULT, DEFAULT, $6, $7, $8) RETURNING "id", "active", "nick"`, "ROLLBACK"}},
		{"HardDelete (versioned)", func(r *Repository[gUser]) error { return r.HardDelete(ctx, &gUser{ID: 1, Version: 2}) },
			[]string{`DELETE FROM "app"."users" WHERE "id" = $1 AND "version" = $2`}},
		{"Cursor", func(r *Repository[gUser]) error {
			codec, err := sqlb.NewCursorCodec([]byte("0123456789abcdef0123456789abcdef"))
			if err != nil {
				return err
			}
			_, err = r.Query().OrderBy(sqlb.Desc("updated_at")).Cursor(ctx, codec, "", 20)
			return err
		}, []string{`SELECT ` + qcols + ` FROM "app"."users" WHERE "app"."users"."deleted_at" IS NULL ORDER BY "updated_at" DESC, "app"."users"."id" DESC LIMIT $1`}},
		{"Join keeps the scope qualified", func(r *Repository[gUser]) error {
			_, err := r.Query().Join("app.teams", sqlb.On("teams.id", "users.id")).Count(ctx)
			return err
		}, []string{`SELECT count(*) FROM "app"."users" JOIN "app"."teams" ON "teams"."id" = "users"."id" WHERE "app"."users"."deleted_at" IS NULL`}},
		{"Page", func(r *Repository[gUser]) error { _, err := r.FindPage(ctx, 3, 10); return err },
			[]string{
				`SELECT count(*) FROM "app"."users" WHERE "app"."users"."deleted_at" IS NULL`,
				`SELECT ` + qcols + ` FROM "app"."users" WHERE "app"."users"."deleted_at" IS NULL ORDER BY "app"."users"."id" ASC LIMIT $1 OFFSET $2`,
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := &fakeDB{affect: 1}
			r, err := New[gUser](db, WithClock(func() time.Time { return at }))
			if err != nil {
				t.Fatal(err)
			}
			if err := tc.run(r); err != nil {
				t.Fatal(err)
			}
			got := db.sqls()
			if len(got) != len(tc.want) {
				t.Fatalf("statements:\n got %q\nwant %q", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("statement %d:\n got %s\nwant %s", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestGoldenSQLCompositeKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := &fakeDB{affect: 1}
	r, err := New[gPlain](db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.FindByID(ctx, Key{int64(1), int64(2)}); err != nil {
		t.Fatal(err)
	}
	if err := r.Delete(ctx, &gPlain{TeamID: 1, UserID: 2}); err != nil {
		t.Fatal(err)
	}
	want := []string{
		`SELECT "team_id", "user_id", "role" FROM "g_plains" WHERE "team_id" = $1 AND "user_id" = $2`,
		`DELETE FROM "g_plains" WHERE "team_id" = $1 AND "user_id" = $2`,
	}
	got := db.sqls()
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("statement %d:\n got %s\nwant %s", i, got[i], want[i])
		}
	}
	equalArgs(t, db.args[0], []any{int64(1), int64(2)})
}

func equalArgs(t *testing.T, got, want []any) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("args: got %v want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("arg %d: got %#v want %#v", i, got[i], want[i])
		}
	}
}

func TestBadInputIsRefusedBeforeSending(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := &fakeDB{}
	r, err := New[gUser](db)
	if err != nil {
		t.Fatal(err)
	}
	p, err := New[gPlain](db)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		run  func() error
		want string
	}{
		{"nil entity", func() error { return r.Create(ctx, nil) }, "nil entity"},
		{"nil key", func() error { _, err := r.FindByID(ctx, nil); return err }, "nil key"},
		{"composite needs Key", func() error { _, err := p.FindByID(ctx, int64(1)); return err }, "pass a repo.Key"},
		{"wrong key length", func() error { _, err := p.FindByID(ctx, Key{1}); return err }, "key has 1 values"},
		{"unknown column", func() error {
			_, err := r.UpdateFields(ctx, int64(1), map[string]any{"bogus": 1, "version": 1})
			return err
		}, `no column "bogus"`},
		{"identity column", func() error {
			_, err := r.UpdateFields(ctx, int64(1), map[string]any{"id": 1, "version": 1})
			return err
		}, `"id" of gUser is not updatable`},
		{"update where without condition", func() error {
			_, err := r.UpdateWhere(ctx, map[string]any{"email": "x"})
			return err
		}, "repo.AllRows()"},
		{"delete where without condition", func() error { _, err := r.DeleteWhere(ctx, nil); return err }, "repo.AllRows()"},
		{"restore without soft delete", func() error { return p.Restore(ctx, &gPlain{}) }, "no soft-delete column"},
		{"page zero", func() error { _, err := r.FindPage(ctx, 0, 10); return err }, "page 0"},
		{"unknown upsert column", func() error { _, err := r.Upsert(ctx, &gUser{}, UpdateColumns("nope")); return err }, `"nope"`},
	}
	for _, tc := range tests {
		err := tc.run()
		if !errors.Is(err, ErrInvalid) {
			t.Fatalf("%s: want ErrInvalid, got %v", tc.name, err)
		}
		if !contains(err.Error(), tc.want) {
			t.Fatalf("%s: message %q does not say %q", tc.name, err, tc.want)
		}
	}
	if n := len(db.sqls()); n != 0 {
		t.Fatalf("bad input reached the server: %q", db.sqls())
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func TestUpsertStatementCachedPerShape(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := &fakeDB{affect: 1}
	r, err := New[gUser](db)
	if err != nil {
		t.Fatal(err)
	}
	nick := "n"
	for _, u := range []*gUser{{Email: "a"}, {Email: "b"}, {Email: "c", Nick: &nick}} {
		if _, err := r.Upsert(ctx, u, OnConflict("email")); err != nil {
			t.Fatal(err)
		}
	}
	got := db.sqls()
	if got[0] != got[1] {
		t.Fatalf("same shape, different SQL:\n%s\n%s", got[0], got[1])
	}
	if got[2] == got[0] || !contains(got[2], `VALUES ($1, DEFAULT, $2, $3, $4, $5)`) {
		t.Fatalf("a set defaulted field needs its own shape: %s", got[2])
	}
	equalArgs(t, db.args[1][:2], []any{"b", 0})
	if len(db.args[1]) != 4 || len(db.args[2]) != 5 {
		t.Fatalf("args: %v / %v", db.args[1], db.args[2])
	}
}

type gKeyOnly struct {
	A int64 `db:"a" norm:"pk"`
	B int64 `db:"b" norm:"pk"`
}

func TestUpdateWithNothingToSetIsRefused(t *testing.T) {
	t.Parallel()
	db := &fakeDB{affect: 1}
	r, err := New[gKeyOnly](db)
	if err != nil {
		t.Fatal(err)
	}
	err = r.Update(context.Background(), &gKeyOnly{A: 1, B: 2})
	if !errors.Is(err, ErrInvalid) || !contains(err.Error(), "no column to update") {
		t.Fatalf("want ErrInvalid saying there is no column to update, got %v", err)
	}
	if got := db.sqls(); len(got) != 0 {
		t.Fatalf("sent: %q", got)
	}
}

// TestCursorRefusesNullableSortKeys: a keyset over a column that accepts
// NULL would skip its NULL rows, so it is refused before any query.
func TestCursorRefusesNullableSortKeys(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	codec, err := sqlb.NewCursorCodec([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		key     sqlb.SortKey
		refused bool
	}{
		{sqlb.Asc("nick"), true},              // *string
		{sqlb.Desc("users.deleted_at"), true}, // *time.Time, qualified by the table
		{sqlb.Asc("app.users.nick"), true},    // qualified by schema and table
		{sqlb.Desc("updated_at"), false},      // NOT NULL
		{sqlb.Asc("teams.nick"), false},       // another table's column: not T's to judge
		{sqlb.Asc("lower(email)"), false},     // an expression
	}
	for _, tt := range tests {
		db := &fakeDB{}
		r, err := New[gUser](db)
		if err != nil {
			t.Fatal(err)
		}
		_, err = r.Query().OrderBy(tt.key).Cursor(ctx, codec, "", 10)
		refused := errors.Is(err, ErrInvalid) && strings.Contains(err.Error(), tt.key.Column)
		if refused != tt.refused {
			t.Errorf("%s: err = %v, want refused = %v", tt.key.Column, err, tt.refused)
		}
		if refused && len(db.sqls()) != 0 {
			t.Errorf("%s: refused after sending %q", tt.key.Column, db.sqls())
		}
	}
}
