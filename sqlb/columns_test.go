package sqlb_test

import (
	"reflect"
	"testing"

	"github.com/normkit/norm/sqlb"
)

func TestCondColumns(t *testing.T) {
	t.Parallel()
	sub := sqlb.Select("id").From("orders").Where(sqlb.Eq("total", 5))
	tests := []struct {
		name string
		c    sqlb.Sqlizer
		want []string
	}{
		{"eq", sqlb.Eq("email", 1), []string{`"email"`}},
		{"qualified", sqlb.Gt("u.score", 1), []string{`"u"."score"`}},
		{"quoted", sqlb.Eq(`public."my.t".x`, 1), []string{`"public"."my.t"."x"`}},
		{"null value", sqlb.Eq("nick", nil), []string{`"nick"`}},
		{"is null", sqlb.IsNull("deleted_at"), []string{`"deleted_at"`}},
		{"between", sqlb.Between("score", 1, 2), []string{`"score"`}},
		{"in slice", sqlb.In("id", []int{1}), []string{`"id"`}},
		{"in subquery", sqlb.In("id", sub), []string{`"id"`}},
		{"on", sqlb.On("o.user_id", "u.id"), []string{`"o"."user_id"`, `"u"."id"`}},
		{"star value", sqlb.Eq("a", sqlb.Col("t.*")), []string{`"a"`}},
		{"quoted star column", sqlb.Eq("a", sqlb.Col(`t."*"`)), []string{`"a"`, `"t"."*"`}},
		{"and or not", sqlb.And(sqlb.Eq("a", 1), sqlb.Or(sqlb.Not(sqlb.Like("b", "x")), nil)), []string{`"a"`, `"b"`}},
		{"raw", sqlb.Raw("emial = ?", 1), nil},
		{"named", sqlb.RawNamed("emial = :e", map[string]any{"e": 1}), nil},
		{"exists", sqlb.Exists(sub), nil},
		{"failed", sqlb.Eq("", 1), nil},
		{"nil", nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			sqlb.CondColumns(tc.c, func(q string) { got = append(got, q) })
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("CondColumns = %q, want %q", got, tc.want)
			}
		})
	}
}
