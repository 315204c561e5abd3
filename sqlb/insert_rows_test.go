package sqlb

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestInsertRows(t *testing.T) {
	t.Parallel()
	one := Insert("t").Columns("a", "b").Values(1, "x").Values(2, "y")
	bulk := Insert("t").Columns("a", "b").Rows([][]any{{1, "x"}, {2, "y"}})
	s1, a1, err1 := one.ToSQL()
	s2, a2, err2 := bulk.ToSQL()
	if err1 != nil || err2 != nil || s1 != s2 || !reflect.DeepEqual(a1, a2) {
		t.Fatalf("Rows %q %v %v, Values %q %v %v", s2, a2, err2, s1, a1, err1)
	}
	mixed := Insert("t").Columns("a").Values(0).Rows([][]any{{1}, {2}}).Values(3)
	if _, a, err := mixed.ToSQL(); err != nil || !reflect.DeepEqual(a, []any{0, 1, 2, 3}) {
		t.Fatalf("mixed: %v %v", a, err)
	}
	cases := []struct {
		name string
		b    InsertBuilder
		err  error
		msg  string
	}{
		{"short row", Insert("t").Columns("a", "b").Rows([][]any{{1, 2}, {3}}), ErrColumnCount, "row 2"},
		{"bad value", Insert("t").Columns("a").Rows([][]any{{1}, {func() {}}}), ErrInvalidValue, "row 2, value 1"},
		{"no rows", Insert("t").Columns("a").Rows(nil), ErrIncomplete, "no values"},
	}
	for _, c := range cases {
		_, _, err := c.b.ToSQL()
		if !errors.Is(err, c.err) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: %v, want %v with %q", c.name, err, c.err, c.msg)
		}
	}
}

func TestInsertDefault(t *testing.T) {
	t.Parallel()
	b := Insert("t").Columns("a", "b").Values(1, Default).Values(Default, 2).Returning("a")
	s, args, err := b.ToSQL()
	if err != nil || s != `INSERT INTO "t" ("a", "b") VALUES ($1, DEFAULT), (DEFAULT, $2) RETURNING "a"` || !reflect.DeepEqual(args, []any{1, 2}) {
		t.Fatalf("%s %v %v", s, args, err)
	}
	// DEFAULT has no meaning outside a VALUES row.
	if _, _, err := Select("a").From("t").Where(Eq("a", Default)).ToSQL(); !errors.Is(err, ErrInvalidValue) {
		t.Fatalf("Default in a condition: %v", err)
	}
	if _, _, err := Update("t").Set("a", Default).Where(Eq("b", 1)).ToSQL(); !errors.Is(err, ErrInvalidValue) {
		t.Fatalf("Default in SET: %v", err)
	}
}

func BenchmarkInsertValues(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		rows := make([][]any, n)
		for i := range rows {
			rows[i] = []any{i, "name", true}
		}
		b.Run(fmt.Sprintf("Values/%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				q := Insert("t").Columns("a", "b", "c")
				for _, r := range rows {
					q = q.Values(r...)
				}
				if _, _, err := q.ToSQL(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/row")
		})
		b.Run(fmt.Sprintf("Rows/%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, _, err := Insert("t").Columns("a", "b", "c").Rows(rows).ToSQL(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/row")
		})
	}
}
