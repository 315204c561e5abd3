package sqlb

import (
	"database/sql"
	"errors"
	"strings"
	"testing"
)

// TestNotInRefusesNull: col <> ALL(list) is never true when the list holds
// NULL, so NotIn refuses such a list instead of matching no row; In does
// not mind (NULL just matches nothing).
func TestNotInRefusesNull(t *testing.T) {
	t.Parallel()
	one := 1
	for _, list := range []any{[]*int{&one, nil}, []any{1, nil}, []sql.NullString{{String: "a", Valid: true}, {}}} {
		if _, _, err := NotIn("a", list).ToSql(); !errors.Is(err, ErrInvalidValue) || !strings.Contains(err.Error(), "element 1") {
			t.Errorf("NotIn(%#v) = %v, want ErrInvalidValue naming element 1", list, err)
		}
		if _, _, err := In("a", list).ToSql(); err != nil {
			t.Errorf("In(%#v) = %v", list, err)
		}
	}
	if _, _, err := NotIn("a", []*int{&one}).ToSql(); err != nil {
		t.Errorf("NotIn without NULL = %v", err)
	}
}

// TestComparisonsWithNull: col = NULL is never true, so a value sent as
// NULL — untyped or typed nil, an invalid sql.Null* — makes Eq and Ne the
// IS [NOT] NULL forms, and the ordering comparisons refuse it.
func TestComparisonsWithNull(t *testing.T) {
	t.Parallel()
	one := 1
	for _, v := range []any{nil, (*int)(nil), []byte(nil), map[string]any(nil), sql.NullString{}} {
		if s, args, err := Eq("a", v).ToSql(); err != nil || s != `"a" IS NULL` || len(args) != 0 {
			t.Errorf("Eq(a, %#v) = %q %v %v", v, s, args, err)
		}
		if s, _, err := Ne("a", v).ToSql(); err != nil || s != `"a" IS NOT NULL` {
			t.Errorf("Ne(a, %#v) = %q %v", v, s, err)
		}
		if _, _, err := Gt("a", v).ToSql(); !errors.Is(err, ErrInvalidValue) {
			t.Errorf("Gt(a, %#v) = %v, want ErrInvalidValue", v, err)
		}
		if _, _, err := Between("a", v, 1).ToSql(); !errors.Is(err, ErrInvalidValue) {
			t.Errorf("Between(a, %#v, 1) = %v, want ErrInvalidValue", v, err)
		}
	}
	for _, v := range []any{&one, []byte{}, sql.NullString{String: "", Valid: true}} {
		if s, args, err := Eq("a", v).ToSql(); err != nil || s != `"a" = ?` || len(args) != 1 {
			t.Errorf("Eq(a, %#v) = %q %v %v, want a parameter", v, s, args, err)
		}
	}
}

// TestInInvalidColumn checks that In and NotIn keep the error of an
// invalid column name, whatever the value (list, empty list, nil,
// subquery), alone and inside a statement, and never render SQL with an
// empty or unquoted identifier.
func TestInInvalidColumn(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("c", 64)
	cols := []struct {
		col, msg string
	}{
		{"", "empty identifier"},
		{"a\x00b", "identifier contains NUL"},
		{`"a`, `unterminated quoted identifier in "\"a"`},
		{`a"b`, `unexpected character in qualified name "a\"b"`},
		{"a..b", `empty part in qualified name "a..b"`},
		{".a", `empty part in qualified name ".a"`},
		{"a.", `qualified name ends with a dot: "a."`},
		{long, "identifier longer than 63 bytes"},
		{`""`, "empty identifier"},
	}
	values := []struct {
		name string
		v    any
	}{
		{"list", []int{1, 2}},
		{"empty list", []int{}},
		{"nil", nil},
		{"subquery", Select("id").From("t").Where(Eq("x", 1))},
	}
	ctors := []struct {
		fn string
		f  func(string, any) Sqlizer
	}{{"In", In}, {"NotIn", NotIn}}
	for _, c := range cols {
		for _, v := range values {
			for _, ctor := range ctors {
				want := "sqlb: " + ctor.fn + "(" + quoteForMsg(c.col) + "): invalid identifier: " + c.msg
				sql, args, err := ctor.f(c.col, v.v).ToSql()
				if !errors.Is(err, ErrInvalidIdentifier) || err.Error() != want || sql != "" || args != nil {
					t.Errorf("%s(%q, %s).ToSql() = %q, %v, %v; want error %q", ctor.fn, c.col, v.name, sql, args, err, want)
				}
				sql, args, err = Select("id").From("t").Where(ctor.f(c.col, v.v)).ToSQL()
				if !errors.Is(err, ErrInvalidIdentifier) || err.Error() != want || sql != "" || args != nil {
					t.Errorf("Select.Where(%s(%q, %s)).ToSQL() = %q, %v, %v; want error %q", ctor.fn, c.col, v.name, sql, args, err, want)
				}
			}
		}
	}
}
