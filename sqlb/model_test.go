package sqlb

import (
	"database/sql"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestSnakeCase(t *testing.T) {
	for in, want := range map[string]string{
		"ID": "id", "UserID": "user_id", "HTTPServer": "http_server", "UserIDs": "user_ids", "URLs": "urls",
		"Name": "name", "createdAt": "created_at", "OAuth2Token": "o_auth2_token", "APIKey": "api_key",
		"X": "x", "already_snake": "already_snake", "Version2": "version2", "PDFFile": "pdf_file", "IPv4": "i_pv4",
		"HTMLToPDF": "html_to_pdf",
	} {
		if got := SnakeCase(in); got != want {
			t.Errorf("SnakeCase(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPlural(t *testing.T) {
	for in, want := range map[string]string{
		"user": "users", "category": "categories", "box": "boxes", "bus": "buses", "status": "statuses",
		"person": "people", "child": "children", "key": "keys", "day": "days", "news": "news",
		"user_address": "user_addresses", "order_item": "order_items", "class": "classes", "match": "matches",
		"wish": "wishes", "analysis": "analyses", "index": "indexes", "company": "companies", "data": "data",
		"photo": "photos", "hero": "heroes", "leaf": "leaves", "quiz": "quizzes", "api_key": "api_keys",
	} {
		if got := Plural(in); got != want {
			t.Errorf("Plural(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseTag(t *testing.T) {
	opts, err := ParseTag(`pk, type:numeric(10,2), default:'a,b', comment:'it''s, ok', index_where:deleted_at IS NULL, default:-1`)
	if err != nil {
		t.Fatal(err)
	}
	want := []TagOption{
		{Key: "pk"}, {Key: "type", Value: "numeric(10,2)", HasValue: true}, {Key: "default", Value: "'a,b'", HasValue: true},
		{Key: "comment", Value: "'it''s, ok'", HasValue: true}, {Key: "index_where", Value: "deleted_at IS NULL", HasValue: true},
		{Key: "default", Value: "-1", HasValue: true},
	}
	if !reflect.DeepEqual(opts, want) {
		t.Fatalf("%#v", opts)
	}
	for _, bad := range []string{"a)", "type:numeric(10", "default:'x", ":x"} {
		if _, err := ParseTag(bad); err == nil {
			t.Errorf("ParseTag(%q) accepted", bad)
		}
	}
}

type Base struct {
	ID        int64      `db:"id" norm:"pk,auto_increment"`
	CreatedAt time.Time  `db:"created_at" norm:"default:now()"`
	UpdatedAt time.Time  `db:"updated_at" norm:"default:now(),on_update:now()"`
	DeletedAt *time.Time `db:"deleted_at"`
}

type Account struct {
	Base
	TenantID   int64           `norm:"unique:tenant_email,index:acct_tenant_idx,fk:tenants(id),on_delete:cascade,deferrable"`
	Email      string          `norm:"unique:tenant_email,not_null,collate:C,comment:'login, lower case'"`
	Name       string          `norm:"default:'',rename:full_name"`
	Active     bool            `norm:"default:true"`
	Balance    sql.NullFloat64 `norm:"type:numeric(12,2)"`
	Tags       []string        `norm:"type:text[],index,using:gin"`
	Search     string          `norm:"generated:to_tsvector('simple', email),index:acct_search_idx,using:gin,index_where:deleted_at IS NULL"`
	Version    int             `norm:"version"`
	Lower      string          `orm:"readonly"`
	Secret     string          `db:"-"`
	Note       string          `norm:"-"`
	Minus      string          `norm:"default:-"`
	Managers   []*Account      `norm:"rel:has_many,fk:manager_id"`
	unexported int             //nolint:unused // proves unexported fields are skipped
}

type Category struct {
	ID   int
	Name string
}

type Named struct {
	Code string `db:"code" norm:"pk"`
}

func (Named) TableName() string { return "billing.codes" }

func TestModel(t *testing.T) {
	m, err := ModelOf[Account]()
	if err != nil {
		t.Fatal(err)
	}
	if m.Table != "accounts" || m.Schema != "" || m.QuotedTable() != `"accounts"` {
		t.Fatal(m.Table, m.Schema)
	}
	cols := strings.Join(m.Columns(), ",")
	if cols != "id,created_at,updated_at,deleted_at,tenant_id,email,name,active,balance,tags,search,version,lower,minus" {
		t.Fatal(cols)
	}
	if len(m.PK) != 1 || m.PK[0].Column != "id" || !m.PK[0].Identity || !reflect.DeepEqual(m.PK[0].Index, []int{0, 0}) {
		t.Fatalf("pk %+v", m.PK)
	}
	if m.Version == nil || m.Version.Column != "version" || m.SoftDelete == nil || m.SoftDelete.Column != "deleted_at" {
		t.Fatal("version / soft delete")
	}
	f := m.Field("tenant_id")
	if f.FK == nil || f.FK.Table != "tenants" || f.FK.Column != "id" || f.FK.OnDelete != "CASCADE" || !f.FK.Deferrable {
		t.Fatalf("fk %+v", f.FK)
	}
	e := m.Field("email")
	if !e.NotNull || e.Collate != "C" || e.Comment != "login, lower case" || e.IsNullable() {
		t.Fatalf("email %+v", e)
	}
	if n := m.Field("name"); n.Default != "''" || !n.HasDefault || n.Rename != "full_name" {
		t.Fatalf("name %+v", n)
	}
	if m.Field("minus").Default != "-" {
		t.Fatal("a - inside a value dropped the field")
	}
	if b := m.Field("balance"); b.Type != "numeric(12,2)" || !b.IsNullable() {
		t.Fatalf("balance %+v", b)
	}
	if s := m.Field("search"); !s.ReadOnly || s.Generated != "to_tsvector('simple', email)" || s.Writable() {
		t.Fatalf("search %+v", s)
	}
	if !m.Field("lower").ReadOnly || m.Field("updated_at").OnUpdate != "now()" {
		t.Fatal("orm alias / on_update")
	}
	if m.Field("secret") != nil || m.Field("note") != nil || m.Field("managers") != nil {
		t.Fatal("skipped fields mapped")
	}
	if len(m.Relations) != 1 || m.Relations[0].Rel != "has_many" {
		t.Fatalf("relations %+v", m.Relations)
	}
	if len(m.Uniques) != 1 || m.Uniques[0].Name != "tenant_email" || len(m.Uniques[0].Fields) != 2 {
		t.Fatalf("uniques %+v", m.Uniques)
	}
	if len(m.Indexes) != 3 {
		t.Fatalf("indexes %+v", m.Indexes)
	}
	if ix := m.Indexes[1]; ix.Name != "accounts_tags_idx" || ix.Using != "gin" {
		t.Fatalf("tags index %+v", ix)
	}
	if ix := m.Indexes[2]; ix.Name != "acct_search_idx" || ix.Where != "deleted_at IS NULL" {
		t.Fatalf("search index %+v", ix)
	}
	if m.Field("email").Tag.Norm == "" || len(m.Field("email").Options) != 4 {
		t.Fatal("raw tag not kept")
	}
	m2, _ := ModelFor(reflect.TypeOf(&Account{}))
	if m2 != m {
		t.Fatal("not cached")
	}

	c, err := ModelOf[Category]()
	if err != nil || c.Table != "categories" || len(c.PK) != 1 || !c.PK[0].Identity {
		t.Fatal(c, err)
	}
	n, err := ModelOf[*Named]()
	if err != nil || n.Schema != "billing" || n.Table != "codes" || n.QuotedTable() != `"billing"."codes"` || n.PK[0].Identity {
		t.Fatal(n, err)
	}
}

func TestModelErrors(t *testing.T) {
	type unknown struct {
		ID int `norm:"pk,uniq"`
	}
	type twoPK struct {
		A int `norm:"pk:a"`
		B int `norm:"pk:b"`
	}
	type versionString struct {
		ID int
		V  string `norm:"version"`
	}
	type contradiction struct {
		ID int
		A  string `norm:"not_null,nullable"`
	}
	type dupCol struct {
		ID int
		A  string `db:"x"`
		B  string `db:"x"`
	}
	type badFK struct {
		ID int
		A  int `norm:"fk:tenants"`
	}
	type onDeleteNoFK struct {
		ID int
		A  int `norm:"on_delete:cascade"`
	}
	type badAction struct {
		ID int
		A  int `norm:"fk:t(id),on_delete:explode"`
	}
	type softString struct {
		ID int
		D  string `norm:"soft_delete"`
	}
	type identityString struct {
		ID string `norm:"pk,identity"`
	}
	type dash struct {
		ID int `norm:"-,pk"`
	}
	type bothTags struct {
		ID int `norm:"pk" orm:"pk"`
	}
	type usingNoIndex struct {
		ID int
		A  string `norm:"using:gin"`
	}
	type twoVersions struct {
		ID int
		A  int `norm:"version"`
		B  int `norm:"version"`
	}
	type valueOnFlag struct {
		ID int `norm:"pk:"`
	}
	type flagWithValue struct {
		ID int `norm:"pk,version:x"`
	}
	for _, c := range []struct {
		v    any
		want string
	}{
		{unknown{}, `unknown.ID: unknown tag token "uniq"`},
		{twoPK{}, "two primary key groups"},
		{versionString{}, "versionString.V: version on a string"},
		{contradiction{}, "both not_null and nullable"},
		{dupCol{}, `column "x" is also mapped by field A`},
		{badFK{}, "want fk:table(column)"},
		{onDeleteNoFK{}, "without fk"},
		{badAction{}, "unknown action"},
		{softString{}, "soft_delete on a string"},
		{identityString{}, "identity on a string"},
		{dash{}, `"-" must be the whole tag`},
		{bothTags{}, "both norm and orm"},
		{usingNoIndex{}, "using or index_where without index"},
		{twoVersions{}, "second version column"},
		{valueOnFlag{}, "empty primary key name"},
		{flagWithValue{}, "takes no value"},
	} {
		_, err := ModelFor(reflect.TypeOf(c.v))
		if !errors.Is(err, ErrModel) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%T: err = %v, want %q", c.v, err, c.want)
		}
	}
	if _, err := ModelFor(reflect.TypeOf(1)); !errors.Is(err, ErrModel) {
		t.Fatal(err)
	}
}

func TestModelConcurrent(t *testing.T) {
	type fresh struct {
		ID   int
		Name string
	}
	var wg sync.WaitGroup
	ms := make([]*Model, 16)
	for i := range ms {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			ms[i], _ = ModelOf[fresh]()
			_, _, _ = InsertStruct(&fresh{Name: "x"}).ToSQL()
		}(i)
	}
	wg.Wait()
	for _, m := range ms {
		if m != ms[0] {
			t.Fatal("different models for one type")
		}
	}
}

type softUnique struct {
	ID        int64      `db:"id"`
	Email     string     `db:"email" norm:"unique"`
	Team      int64      `db:"team" norm:"unique:team_slug"`
	Slug      string     `db:"slug" norm:"unique:team_slug"`
	DeletedAt *time.Time `db:"deleted_at"`
}

type plainUnique struct {
	ID    int64  `db:"id"`
	Email string `db:"email" norm:"unique"`
}

// mustModel returns the model of T, failing the test when T has none.
func mustModel[T any](t *testing.T) *Model {
	t.Helper()
	m, err := ModelOf[T]()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestUniquePartialWhere pins the one rule migrate and repo share: a
// soft-delete model's unique groups are partial over live rows.
func TestUniquePartialWhere(t *testing.T) {
	t.Parallel()
	soft, plain := mustModel[softUnique](t), mustModel[plainUnique](t)
	cases := []struct {
		name  string
		m     *Model
		cols  []string
		found string
		where string
	}{
		{"soft single", soft, []string{"email"}, "soft_uniques_email_key", `"deleted_at" IS NULL`},
		{"soft group, any order", soft, []string{"slug", "team"}, "team_slug", `"deleted_at" IS NULL`},
		{"soft part of a group", soft, []string{"team"}, "", ""},
		{"soft not unique", soft, []string{"id"}, "", ""},
		{"plain", plain, []string{"email"}, "plain_uniques_email_key", ""},
	}
	for _, c := range cases {
		u := c.m.UniqueOn(c.cols...)
		switch {
		case c.found == "" && u != nil:
			t.Errorf("%s: UniqueOn(%v) = %s, want none", c.name, c.cols, u.Name)
		case c.found != "" && (u == nil || u.Name != c.found || u.Where != c.where):
			t.Errorf("%s: UniqueOn(%v) = %+v, want %s WHERE %q", c.name, c.cols, u, c.found, c.where)
		}
	}
}
