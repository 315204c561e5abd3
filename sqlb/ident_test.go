package sqlb

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// TestSplitQualified checks the parts of well-formed qualified names and
// that every malformed one gives an error naming what is wrong, never
// the parts read before the fault.
func TestSplitQualified(t *testing.T) {
	t.Parallel()
	good := []struct {
		in   string
		want []string
	}{
		{"users", []string{"users"}},
		{"public.users", []string{"public", "users"}},
		{`public."my.table"`, []string{"public", "my.table"}},
		{`"x""y".z`, []string{`x"y`, "z"}},
		{"db.s.t.c", []string{"db", "s", "t", "c"}},
	}
	for _, c := range good {
		parts, err := SplitQualified(c.in)
		if err != nil || !reflect.DeepEqual(parts, c.want) {
			t.Errorf("SplitQualified(%q) = %q, %v; want %q", c.in, parts, err, c.want)
		}
	}
	bad := []struct {
		in, msg string
	}{
		{"", "empty identifier"},
		{"a\x00b", "identifier contains NUL"},
		{`"a`, `unterminated quoted identifier in "\"a"`},
		{`public."my.table`, `unterminated quoted identifier in "public.\"my.table"`},
		{"a..b", `empty part in qualified name "a..b"`},
		{".a", `empty part in qualified name ".a"`},
		{"a.", `qualified name ends with a dot: "a."`},
		{"a.b.", `qualified name ends with a dot: "a.b."`},
		{`a"b"`, `unexpected character in qualified name "a\"b\""`},
		{`"a"b`, `unexpected character in qualified name "\"a\"b"`},
		{`a.""`, "empty identifier"},
		{"a." + strings.Repeat("c", 64), "identifier longer than 63 bytes"},
	}
	for _, c := range bad {
		want := "sqlb: SplitQualified(" + quoteForMsg(c.in) + "): invalid identifier: " + c.msg
		parts, err := SplitQualified(c.in)
		if !errors.Is(err, ErrInvalidIdentifier) || err.Error() != want || parts != nil {
			t.Errorf("SplitQualified(%q) = %q, %v; want nil, %q", c.in, parts, err, want)
		}
	}
}

type unterminatedTable struct{ ID int }

func (unterminatedTable) TableName() string { return `billing."codes` }

type emptyPartTable struct{ ID int }

func (emptyPartTable) TableName() string { return "billing..codes" }

type trailingDotTable struct{ ID int }

func (trailingDotTable) TableName() string { return "billing.codes." }

// TestModelMalformedTableName: the model metadata takes the table (and
// schema) from SplitQualified, so a malformed TableName or fk table must
// fail the model instead of mapping the parts read before the fault.
func TestModelMalformedTableName(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		v   any
		msg string
	}{
		{unterminatedTable{}, `table name "billing.\"codes": sqlb: SplitQualified("billing.\"codes"): invalid identifier: unterminated quoted identifier`},
		{emptyPartTable{}, `table name "billing..codes": sqlb: SplitQualified("billing..codes"): invalid identifier: empty part in qualified name`},
		{trailingDotTable{}, `table name "billing.codes.": sqlb: SplitQualified("billing.codes."): invalid identifier: qualified name ends with a dot`},
	} {
		m, err := ModelFor(reflect.TypeOf(c.v))
		if !errors.Is(err, ErrModel) || !errors.Is(err, ErrInvalidIdentifier) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("ModelFor(%T) = %+v, %v; want ErrModel and ErrInvalidIdentifier with %q", c.v, m, err, c.msg)
		}
	}
	type fkEmptyPart struct {
		ID int
		A  int `norm:"fk:billing..tenants(id)"`
	}
	type fkTrailingDot struct {
		ID int
		A  int `norm:"fk:billing.(id)"`
	}
	type fkUnterminated struct {
		ID int
		A  int `norm:"fk:\"billing.tenants(id)"`
	}
	for _, v := range []any{fkEmptyPart{}, fkTrailingDot{}, fkUnterminated{}} {
		m, err := ModelFor(reflect.TypeOf(v))
		if !errors.Is(err, ErrModel) || !strings.Contains(err.Error(), ": bad table") {
			t.Errorf("ModelFor(%T) = %+v, %v; want ErrModel naming a bad fk table", v, m, err)
		}
	}
}
