package versioned

import "testing"

func TestLintSeedValue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		col  seedColumn
		want string
	}{
		{seedColumn{typ: "integer", category: "N", typName: "int4"}, "(g.i)::integer"},
		{seedColumn{typ: "character varying(1)", category: "S", typName: "varchar"}, "(g.i::text)::character varying(1)"},
		{seedColumn{typ: "boolean", category: "B", typName: "bool"}, "(g.i % 2 = 0)::boolean"},
		{seedColumn{typ: "uuid", category: "U", typName: "uuid"}, "(md5(g.i::text))::uuid"},
		{seedColumn{typ: "mood", category: "E", typName: "mood"}, "((enum_range(NULL::mood))[1])::mood"},
		{seedColumn{typ: "bigint", category: "N", fkTable: "users", fkColumn: "id"}, `(SELECT "id" FROM users ORDER BY 1 LIMIT 1 OFFSET g.i - 1)`},
		{seedColumn{typ: "point", category: "G", typName: "point"}, ""},
	}
	for _, tc := range tests {
		if got := seedValue(tc.col); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.col.typ, got, tc.want)
		}
	}
}
