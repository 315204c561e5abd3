package migrate

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from %s:\n--- got\n%s\n--- want\n%s", name, path, got, want)
	}
}

type goldUser struct {
	ID        int64      `db:"id" norm:"pk,auto_increment"`
	Email     string     `db:"email" norm:"unique"`
	Name      string     `db:"full_name" norm:"rename:name,type:varchar(100)"`
	Age       int64      `db:"age"`
	Nick      string     `db:"nick"`
	OrgID     int64      `db:"org_id" norm:"fk:orgs(id),index"`
	CreatedAt time.Time  `db:"created_at" norm:"default:now()"`
	DeletedAt *time.Time `db:"deleted_at"`
}

func (goldUser) TableName() string { return "users" }

type goldOrg struct {
	ID   int64  `db:"id" norm:"pk,auto_increment"`
	Name string `db:"name"`
}

func (goldOrg) TableName() string { return "orgs" }

// liveUsers is the catalog side: an older users table with rows.
func liveUsers() *Schema {
	return &Schema{Tables: []*Table{{
		Schema: "public", Name: "users", HasRows: true,
		Columns: []*Column{
			{Name: "id", Type: "bigint", NotNull: true, Identity: "by default"},
			{Name: "email", Type: "text", NotNull: true},
			{Name: "name", Type: "character varying(50)", NotNull: true},
			{Name: "age", Type: "integer", NotNull: true},
			{Name: "nick", Type: "text"},
			{Name: "org_id", Type: "bigint", NotNull: true},
			{Name: "legacy", Type: "text"},
			{Name: "created_at", Type: "timestamp with time zone", NotNull: true, Default: "now()"},
			{Name: "deleted_at", Type: "timestamp with time zone"},
		},
		PrimaryKey: &Constraint{Name: "users_pkey", Kind: PrimaryKeyConstraint, Columns: []string{"id"}, Valid: true},
		Indexes:    []*Index{{Name: "users_legacy_idx", Method: "btree", Columns: []string{"legacy"}, Valid: true}},
	}}}
}

func TestDiffGolden(t *testing.T) {
	t.Parallel()
	desired, err := FromModels(goldUser{}, goldOrg{})
	if err != nil {
		t.Fatal(err)
	}
	for _, online := range []bool{false, true} {
		name := "plan_offline"
		if online {
			name = "plan_online"
		}
		p := Diff(liveUsers(), desired, PlanOptions{Online: online, ServerVersion: 150004})
		golden(t, name+".txt", p.Text())
		js, err := p.JSON()
		if err != nil {
			t.Fatal(err)
		}
		golden(t, name+".json", string(js))
		// Deterministic: the same inputs give a byte-identical plan.
		again := Diff(liveUsers(), desired, PlanOptions{Online: online, ServerVersion: 150004})
		if again.Text() != p.Text() || again.Checksum() != p.Checksum() {
			t.Errorf("%s: planning twice gave different plans", name)
		}
	}
}

func TestDiffUnchangedIsEmpty(t *testing.T) {
	t.Parallel()
	desired, err := FromModels(goldOrg{})
	if err != nil {
		t.Fatal(err)
	}
	live := &Schema{Tables: []*Table{{Schema: "public", Name: "orgs", HasRows: true,
		Columns: []*Column{
			{Name: "id", Type: "bigint", NotNull: true, Identity: "by default"},
			{Name: "name", Type: "text", NotNull: true},
		},
		PrimaryKey: &Constraint{Name: "orgs_pk_renamed", Kind: PrimaryKeyConstraint, Columns: []string{"id"}, Valid: true},
	}, {Schema: "public", Name: "unrelated", Columns: []*Column{{Name: "x", Type: "text"}}}}}
	if p := Diff(live, desired, PlanOptions{}); !p.Empty() {
		t.Errorf("unchanged model (and a table no model describes) gave a plan:\n%s", p.Text())
	}
}

func TestSQLTypeOf(t *testing.T) {
	t.Parallel()
	type doc struct{ A int }
	type uuid [16]byte
	tests := []struct {
		v    any
		want string
	}{
		{int64(0), "bigint"}, {int32(0), "integer"}, {int16(0), "smallint"}, {0, "bigint"},
		{float32(0), "real"}, {float64(0), "double precision"}, {false, "boolean"}, {"", "text"},
		{time.Time{}, "timestamp with time zone"}, {[]byte(nil), "bytea"}, {uuid{}, "uuid"},
		{json.RawMessage(nil), "jsonb"}, {map[string]any{}, "jsonb"}, {doc{}, "jsonb"},
		{[]string(nil), "text[]"}, {[]int64(nil), "bigint[]"}, {[]doc(nil), "jsonb"},
		{new(string), "text"}, {new(time.Time), "timestamp with time zone"},
	}
	for _, tt := range tests {
		got, err := sqlTypeOf(reflect.TypeOf(tt.v))
		if err != nil || got != tt.want {
			t.Errorf("sqlTypeOf(%T) = %q, %v; want %q", tt.v, got, err, tt.want)
		}
	}
	if _, err := sqlTypeOf(reflect.TypeOf(make(chan int))); err == nil || !strings.Contains(err.Error(), "type: tag") {
		t.Errorf("chan: %v, want an error suggesting a type: tag", err)
	}
}

type badModel struct {
	ID   int64    `db:"id" norm:"pk"`
	Feed chan int `db:"feed"`
}

func TestFromModelsNamesModelAndField(t *testing.T) {
	t.Parallel()
	_, err := FromModels(badModel{})
	if err == nil || !strings.Contains(err.Error(), "badModel") || !strings.Contains(err.Error(), "Feed") {
		t.Errorf("got %v, want an error naming badModel and Feed", err)
	}
}

func TestTypeChange(t *testing.T) {
	t.Parallel()
	tests := []struct {
		from, to string
		want     changeKind
	}{
		{"character varying(10)", "character varying(20)", binaryCoercible},
		{"character varying(10)", "text", binaryCoercible},
		{"text", "character varying(10)", narrowing},
		{"character varying(20)", "character varying(10)", narrowing},
		{"numeric(10,2)", "numeric(12,2)", binaryCoercible},
		{"numeric(10,2)", "numeric", binaryCoercible},
		{"numeric(12,2)", "numeric(10,2)", narrowing},
		{"numeric(10,2)", "numeric(12,4)", rewrite},
		{"integer", "bigint", rewrite},
		{"bigint", "integer", narrowing},
		{"double precision", "real", narrowing},
		{"text", "integer", narrowing},
		{"timestamp(3) with time zone", "timestamp with time zone", binaryCoercible},
		{"timestamp with time zone", "date", narrowing},
		{"integer", "text", rewrite},
		{"text[]", "text", rewrite},
	}
	for _, tt := range tests {
		if got := typeChange(tt.from, tt.to); got != tt.want {
			t.Errorf("typeChange(%q, %q) = %d, want %d", tt.from, tt.to, got, tt.want)
		}
	}
}

// TestDefaultsAreParenthesised: a default that is not a b_expr (AT TIME
// ZONE, IS NULL, BETWEEN, …) parses after DEFAULT in CREATE TABLE and ADD
// COLUMN only in parentheses; SET DEFAULT gets the same form.
func TestDefaultsAreParenthesised(t *testing.T) {
	t.Parallel()
	const expr = "now() AT TIME ZONE 'UTC'"
	col := func() *Column {
		return &Column{Name: "at", Type: "timestamp without time zone", NotNull: true, Default: expr}
	}
	desired := &Schema{Tables: []*Table{{Schema: "public", Name: "t", Columns: []*Column{col()}}}}
	cases := []struct {
		name string
		live *Schema
		want string
	}{
		{"create table", &Schema{}, `"at" timestamp without time zone DEFAULT (now() AT TIME ZONE 'UTC') NOT NULL`},
		{"add column", &Schema{Tables: []*Table{{Schema: "public", Name: "t"}}}, `ADD COLUMN "at" timestamp without time zone DEFAULT (now() AT TIME ZONE 'UTC') NOT NULL`},
		{"set default", &Schema{Tables: []*Table{{Schema: "public", Name: "t", Columns: []*Column{{Name: "at", Type: "timestamp without time zone", NotNull: true, Default: "now()"}}}}},
			`ALTER COLUMN "at" SET DEFAULT (now() AT TIME ZONE 'UTC')`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := Diff(tc.live, desired, PlanOptions{})
			var all []string
			for _, s := range p.Steps {
				all = append(all, s.SQL)
			}
			if !strings.Contains(strings.Join(all, "\n"), tc.want) {
				t.Errorf("plan SQL:\n%s\nwant it to contain %s", strings.Join(all, "\n"), tc.want)
			}
		})
	}
}
