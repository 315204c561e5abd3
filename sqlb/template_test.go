package sqlb

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func columnsOf(fields []*Field) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f.Column
	}
	return out
}

// TestTemplatesByKey: the statements by key of one model, with the options
// a repository adds (soft-delete scope, version match, RETURNING lists,
// the row before).
func TestTemplatesByKey(t *testing.T) {
	t.Parallel()
	m, err := ModelOf[Post]()
	if err != nil {
		t.Fatal(err)
	}
	const cols = `"id", "title", "draft", "views", "slug", "version", "updated_at", "search", "deleted_at"`
	live := AndWhere(IsNull(`"deleted_at"`))
	tests := []struct {
		name      string
		build     func() (*Template, error)
		sql       string
		params    []string
		returning []string
	}{
		{"select", func() (*Template, error) { return m.SelectByKey() },
			`SELECT ` + cols + ` FROM "posts" WHERE "id" = $1`, []string{"id"}, nil},
		{"select scoped", func() (*Template, error) { return m.SelectByKey(live) },
			`SELECT ` + cols + ` FROM "posts" WHERE "id" = $1 AND "deleted_at" IS NULL`, []string{"id"}, nil},
		{"exists scoped", func() (*Template, error) { return m.ExistsByKey(live) },
			`SELECT EXISTS (SELECT 1 FROM "posts" WHERE "id" = $1 AND "deleted_at" IS NULL)`, []string{"id"}, nil},
		{"delete", func() (*Template, error) { return m.DeleteByKey() },
			`DELETE FROM "posts" WHERE "id" = $1`, []string{"id"}, nil},
		{"delete at version", func() (*Template, error) { return m.DeleteByKey(MatchVersion(), ReturningColumns("title")) },
			`DELETE FROM "posts" WHERE "id" = $1 AND "version" = $2 RETURNING "title"`, []string{"id", "version"}, []string{"title"}},
		{"update", func() (*Template, error) { return m.UpdateByKey() },
			`UPDATE "posts" SET "title" = $1, "draft" = $2, "views" = $3, "slug" = $4, "version" = ("version" + 1), "updated_at" = (now()), "deleted_at" = $5 WHERE "id" = $6 AND "version" = $7 RETURNING "version", "updated_at", "search"`,
			[]string{"title", "draft", "views", "slug", "deleted_at", "id", "version"}, []string{"version", "updated_at", "search"}},
		{"update but the soft-delete column, scoped", func() (*Template, error) { return m.UpdateByKey(ExceptColumns("deleted_at"), live) },
			`UPDATE "posts" SET "title" = $1, "draft" = $2, "views" = $3, "slug" = $4, "version" = ("version" + 1), "updated_at" = (now()) WHERE "id" = $5 AND "version" = $6 AND "deleted_at" IS NULL RETURNING "version", "updated_at", "search", "deleted_at"`,
			[]string{"title", "draft", "views", "slug", "id", "version"}, []string{"version", "updated_at", "search", "deleted_at"}},
		{"soft delete", func() (*Template, error) {
			return m.UpdateByKey(OnlyColumns("deleted_at"), SkipOnUpdate(), live, ReturningColumns("deleted_at", "version"))
		},
			`UPDATE "posts" SET "version" = ("version" + 1), "deleted_at" = $1 WHERE "id" = $2 AND "version" = $3 AND "deleted_at" IS NULL RETURNING "deleted_at", "version"`,
			[]string{"deleted_at", "id", "version"}, []string{"deleted_at", "version"}},
		{"update returning the row before", func() (*Template, error) { return m.UpdateByKey(OnlyColumns("title"), ReturningBefore()) },
			`UPDATE "posts" SET "title" = $1, "version" = ("version" + 1), "updated_at" = (now()) FROM (SELECT "norm_b" AS "norm_row" FROM "posts" AS "norm_b" WHERE "norm_b"."id" = $2 FOR UPDATE) AS "norm_before" WHERE "id" = $3 AND "version" = $4 RETURNING "version", "updated_at", "search", ` +
				`("norm_before"."norm_row")."id", ("norm_before"."norm_row")."title", ("norm_before"."norm_row")."draft", ("norm_before"."norm_row")."views", ("norm_before"."norm_row")."slug", ("norm_before"."norm_row")."version", ("norm_before"."norm_row")."updated_at", ("norm_before"."norm_row")."search", ("norm_before"."norm_row")."deleted_at"`,
			[]string{"title", "id", "id", "version"}, []string{"version", "updated_at", "search"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tpl, err := tc.build()
			if err != nil {
				t.Fatal(err)
			}
			if tpl.SQL() != tc.sql {
				t.Errorf("sql:\n got %s\nwant %s", tpl.SQL(), tc.sql)
			}
			if got := columnsOf(tpl.Params()); !reflect.DeepEqual(got, tc.params) {
				t.Errorf("params %v, want %v", got, tc.params)
			}
			if got := columnsOf(tpl.Returning()); len(got)+len(tc.returning) > 0 && !reflect.DeepEqual(got, tc.returning) {
				t.Errorf("returning %v, want %v", got, tc.returning)
			}
			again, err := tc.build()
			if err != nil || again != tpl {
				t.Errorf("second build = %p, %v; want the cached %p", again, err, tpl)
			}
		})
	}
}

// TestTemplateOptionsRefused: an option a statement does not take, a
// condition with values (which a cached text cannot hold), an unknown
// column and a model without a key are errors, never ignored.
func TestTemplateOptionsRefused(t *testing.T) {
	t.Parallel()
	m, err := ModelOf[Post]()
	if err != nil {
		t.Fatal(err)
	}
	keyless, err := ModelOf[struct {
		A int `db:"a"`
	}]()
	if err != nil {
		t.Fatal(err)
	}
	keyless.Table = "keyless" // a table, but no key
	tests := []struct {
		name string
		err  error
		want string
		run  func() error
	}{
		{"MatchVersion on an update", ErrModel, "MatchVersion does not apply", func() error { _, err := m.UpdateByKey(MatchVersion()); return err }},
		{"OnlyColumns on a select", ErrModel, "OnlyColumns does not apply", func() error { _, err := m.SelectByKey(OnlyColumns("title")); return err }},
		{"OnlyColumns on InsertStruct", ErrModel, "OnlyColumns does not apply", func() error { return InsertStruct(&Post{}, OnlyColumns("title")).Err() }},
		{"condition with a value", ErrInvalidValue, "carries 1 values", func() error { _, err := m.SelectByKey(AndWhere(Eq("title", "x"))); return err }},
		{"unknown except column", ErrModel, `no column "nope"`, func() error { _, err := m.UpdateByKey(ExceptColumns("nope")); return err }},
		{"unknown returning column", ErrModel, `no column "nope"`, func() error { _, err := m.DeleteByKey(ReturningColumns("nope")); return err }},
		{"no key", ErrModel, "no primary key", func() error { _, err := keyless.SelectByKey(); return err }},
		{"only the key", ErrModel, `column "id" is not updatable`, func() error { _, err := m.UpdateByKey(OnlyColumns("id")); return err }},
		{"except a generated column", ErrModel, `column "search" is not updatable`, func() error { _, err := m.UpdateByKey(ExceptColumns("search")); return err }},
		{"bind another model", ErrInvalidValue, "not the template's model", func() error {
			tpl, err := m.SelectByKey()
			if err != nil {
				return err
			}
			return tpl.Bind(&Membership{}).Err()
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.run()
			if !errors.Is(err, tc.err) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %v saying %q", err, tc.err, tc.want)
			}
		})
	}
}

// TestUpdateByKeyNothingToSet: an update that would set no column (the
// key, generated, excepted and skipped on_update columns are all a model
// has left) is ErrIncomplete naming the model, before any UPDATE is built.
func TestUpdateByKeyNothingToSet(t *testing.T) {
	t.Parallel()
	type stamp struct {
		ID        int64     `db:"id" norm:"pk"`
		Note      string    `db:"note"`
		UpdatedAt time.Time `db:"updated_at" norm:"on_update:now()"`
		Search    string    `db:"search" norm:"generated:lower(note)"`
	}
	m := mustModel[stamp](t)
	for name, opts := range map[string][]StructOption{
		"every column excepted, the stamp skipped": {ExceptColumns("note"), SkipOnUpdate()},
		"only the stamp, skipped":                  {OnlyColumns("updated_at"), SkipOnUpdate()},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			tpl, err := m.UpdateByKey(opts...)
			if !errors.Is(err, ErrIncomplete) || !strings.Contains(err.Error(), "stamp has no column to update") {
				t.Fatalf("UpdateByKey = %v, %v; want ErrIncomplete: stamp has no column to update", tpl, err)
			}
		})
	}
}

// TestTemplateBind reads the parameters from the struct, and a cached
// template without options is found without allocating.
func TestTemplateBind(t *testing.T) { //nolint:paralleltest // AllocsPerRun
	m, err := ModelOf[Membership]()
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := m.DeleteByKey()
	if err != nil {
		t.Fatal(err)
	}
	sql, args, err := tpl.Bind(&Membership{UserID: 1, TeamID: 2}).ToSQL()
	if err != nil || sql != `DELETE FROM "memberships" WHERE "user_id" = $1 AND "team_id" = $2` || !reflect.DeepEqual(args, []any{int64(1), int64(2)}) {
		t.Fatalf("Bind = %q %v %v", sql, args, err)
	}
	if allocs := testing.AllocsPerRun(100, func() { _, _ = m.DeleteByKey() }); allocs != 0 {
		t.Fatalf("a cached template costs %.0f allocations", allocs)
	}
}
