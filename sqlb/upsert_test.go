package sqlb

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// TestUpsertPlan: Model.Upsert resolves the target and action once, For
// caches one template per set of fields left to their default, and
// Builder writes the same clause for many rows.
func TestUpsertPlan(t *testing.T) {
	t.Parallel()
	m, err := ModelOf[Post]()
	if err != nil {
		t.Fatal(err)
	}
	u, err := m.Upsert(UpsertOn("title"), ExceptColumns("deleted_at"), AndWhere(IsNull(`"posts"."deleted_at"`)), ReturningColumns("id", "version"))
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := u.For(&Post{Title: "t"})
	if err != nil {
		t.Fatal(err)
	}
	const want = `INSERT INTO "posts" ("title", "draft", "views", "slug", "version", "updated_at", "deleted_at") VALUES ($1, DEFAULT, DEFAULT, DEFAULT, $2, DEFAULT, $3) ` +
		`ON CONFLICT ("title") DO UPDATE SET "draft" = EXCLUDED."draft", "views" = EXCLUDED."views", "slug" = EXCLUDED."slug", "version" = ("posts"."version" + 1), "updated_at" = (now()) ` +
		`WHERE "posts"."deleted_at" IS NULL RETURNING "id", "version"`
	if tpl.SQL() != want {
		t.Errorf("sql:\n got %s\nwant %s", tpl.SQL(), want)
	}
	if got := columnsOf(tpl.Params()); !reflect.DeepEqual(got, []string{"title", "version", "deleted_at"}) {
		t.Errorf("params %v", got)
	}
	again, _ := u.For(&Post{Title: "other"})
	if again != tpl {
		t.Error("same fields left to default: template not cached")
	}
	if other, _ := u.For(&Post{Title: "t", Views: 3}); other == tpl || !strings.Contains(other.SQL(), "VALUES ($1, DEFAULT, $2, DEFAULT, $3, DEFAULT, $4)") {
		t.Errorf("views set: %v", other.SQL())
	}
	sql, args, err := u.Builder([][]any{{"a", Default, 1, nil, 0, nil, nil}, {"b", true, 2, nil, 0, nil, nil}}).ToSQL()
	if err != nil || !strings.HasPrefix(sql, `INSERT INTO "posts" ("title", "draft", "views", "slug", "version", "updated_at", "deleted_at") VALUES ($1, DEFAULT, $2, $3, $4, $5, $6), ($7, $8,`) ||
		!strings.HasSuffix(sql, `WHERE "posts"."deleted_at" IS NULL RETURNING "id", "version"`) || len(args) != 13 {
		t.Errorf("Builder = %s %v %v", sql, args, err)
	}
}

// TestUpsertPlanRefused: contradictory or unknown options are ErrModel.
func TestUpsertPlanRefused(t *testing.T) {
	t.Parallel()
	m, err := ModelOf[Post]()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		opts []StructOption
		want string
	}{
		{"two targets", []StructOption{UpsertOn("title"), UpsertOnConstraint("posts_title_key")}, "both name a target"},
		{"unknown target", []StructOption{UpsertOn("nope")}, `no column "nope"`},
		{"version in the update set", []StructOption{OnlyColumns("version")}, "cannot be updated by an upsert"},
		{"option of a delete", []StructOption{MatchVersion()}, "MatchVersion does not apply"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if _, err := m.Upsert(tc.opts...); !errors.Is(err, ErrModel) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Upsert = %v, want ErrModel saying %q", err, tc.want)
			}
		})
	}
}

// TestUpsertConflictTargets: the conflict target is the columns named
// (with the partial predicate of the unique group over exactly them, so
// PostgreSQL finds a soft-delete model's index) or the constraint named.
func TestUpsertConflictTargets(t *testing.T) {
	t.Parallel()
	soft, plain, post := mustModel[softUnique](t), mustModel[plainUnique](t), mustModel[Post](t)
	tests := []struct {
		name string
		m    *Model
		v    any
		opt  StructOption
		want string
	}{
		{"partial unique group", soft, &softUnique{}, UpsertOn("email"), `ON CONFLICT ("email") WHERE ("deleted_at" IS NULL) DO UPDATE`},
		{"plain unique column", plain, &plainUnique{}, UpsertOn("email"), `ON CONFLICT ("email") DO NOTHING`},
		{"not a unique group", soft, &softUnique{}, UpsertOn("team"), `ON CONFLICT ("team") DO UPDATE`},
		{"constraint", post, &Post{}, UpsertOnConstraint("posts_slug_key"), `ON CONFLICT ON CONSTRAINT "posts_slug_key" DO UPDATE`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			u, err := tc.m.Upsert(tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			tpl, err := u.For(tc.v)
			if err != nil || !strings.Contains(tpl.SQL(), tc.want) {
				t.Fatalf("For = %v, %v; want … %s …", tpl, err, tc.want)
			}
		})
	}
}

// TestUpsertForRefusesOtherValues: For binds only the upsert's own model.
func TestUpsertForRefusesOtherValues(t *testing.T) {
	t.Parallel()
	u, err := mustModel[Post](t).Upsert()
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []any{&Membership{}, Membership{}, (*Post)(nil), 5, nil} {
		if tpl, err := u.For(v); !errors.Is(err, ErrInvalidValue) {
			t.Errorf("For(%#v) = %v, %v; want ErrInvalidValue", v, tpl, err)
		}
	}
}
