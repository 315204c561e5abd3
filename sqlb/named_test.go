package sqlb

import (
	"errors"
	"reflect"
	"testing"
)

func TestRawNamed(t *testing.T) {
	type params struct {
		UserID int    `db:"user_id"`
		Name   string // name
		Skip   string `db:"-"`
	}
	cases := []struct {
		sql    string
		params any
		want   string
		args   []any
		err    error
	}{
		{sql: "a = :a AND b = @b", params: map[string]any{"a": 1, "b": 2}, want: "a = $1 AND b = $2", args: []any{1, 2}},
		{sql: "a = :a OR c = :a OR b = :b", params: map[string]any{"a": 1, "b": 2}, want: "a = $1 OR c = $1 OR b = $2", args: []any{1, 2}},
		{sql: "x::int = :x AND y = 'x:y' AND \":z\" = 1", params: map[string]any{"x": 5}, want: "x::int = $1 AND y = 'x:y' AND \":z\" = 1", args: []any{5}},
		{sql: "tags @> :t AND r <@ ARRAY[1] AND ts @@ q", params: map[string]any{"t": []string{"a"}}, want: "tags @> $1 AND r <@ ARRAY[1] AND ts @@ q", args: []any{[]string{"a"}}},
		{sql: "id = ANY(:ids)", params: map[string]any{"ids": []int{1, 2}}, want: "id = ANY($1)", args: []any{[]int{1, 2}}},
		{sql: "u = :user_id AND n = :name", params: params{UserID: 3, Name: "x"}, want: "u = $1 AND n = $2", args: []any{3, "x"}},
		{sql: "u = :user_id", params: &params{UserID: 4}, want: "u = $1", args: []any{4}},
		{sql: "arr[1:2] = :v", params: map[string]string{"v": "s"}, want: "arr[1:2] = $1", args: []any{"s"}},
		{sql: "-- :x\n$$ :y $$ = :z /* :w */", params: map[string]any{"z": 1}, want: "-- :x\n$$ :y $$ = $1 /* :w */", args: []any{1}},
		{sql: "j ?? 'k' AND a = :a", params: map[string]any{"a": 1}, want: "j ? 'k' AND a = $1", args: []any{1}},
		{sql: ":a = @b", params: map[string]any{"a": 1, "b": 2}, want: "$1 = $2", args: []any{1, 2}},
		{sql: "a<:max AND b>@min", params: map[string]any{"max": 1, "min": 2}, want: "a<$1 AND b>$2", args: []any{1, 2}},
		{sql: "r <@ARRAY[:x] AND ts @@q AND u@v = 1", params: map[string]any{"x": 1}, want: "r <@ARRAY[$1] AND ts @@q AND u@v = 1", args: []any{1}},
		{sql: "x[1]:y = :z", params: map[string]any{"z": 1}, want: "x[1]:y = $1", args: []any{1}},
		{sql: "x = :e'a' AND y = :y", params: map[string]any{"y": 1}, want: "x = :e'a' AND y = $1", args: []any{1}},
		{sql: "a = :", params: nil, want: "a = :"},
		{sql: "a @", params: nil, want: "a @"},
		{sql: "x = :e'a", params: map[string]any{}, err: ErrPlaceholders},
		{sql: "no params", params: nil, want: "no params"},
		{sql: "a = :missing", params: map[string]any{"a": 1}, err: ErrMissingParam},
		{sql: "a = :skip", params: params{}, err: ErrMissingParam},
		{sql: "a = ?", params: map[string]any{}, err: ErrPlaceholders},
		{sql: "a = $1", params: map[string]any{}, err: ErrPlaceholders},
		{sql: "a = :a", params: 5, err: ErrInvalidValue},
		{sql: "a = :a", params: map[int]any{1: 1}, err: ErrInvalidValue},
		{sql: "a = :a", params: map[string]any{"a": func() {}}, err: ErrInvalidValue},
		{sql: "a = ':a", params: map[string]any{}, err: ErrPlaceholders},
	}
	for _, c := range cases {
		got, args, err := RawNamed(c.sql, c.params).ToSQL()
		if c.err != nil {
			if !errors.Is(err, c.err) {
				t.Errorf("RawNamed(%q): err = %v, want %v", c.sql, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want || (len(args) != 0 || len(c.args) != 0) && !reflect.DeepEqual(args, c.args) {
			t.Errorf("RawNamed(%q) = %q %#v %v, want %q %#v", c.sql, got, args, err, c.want, c.args)
		}
	}
}

func TestNamedInsideStatement(t *testing.T) {
	q := Select("id").From("t").Where(Eq("a", 1)).
		WhereNamed("(b = :v OR c = :v) AND d = :w", map[string]any{"v": "x", "w": 2}).
		Where(Eq("e", 3))
	s, args, err := q.ToSQL()
	want := `SELECT "id" FROM "t" WHERE "a" = $1 AND ((b = $2 OR c = $2) AND d = $3) AND "e" = $4`
	if err != nil || s != want || !reflect.DeepEqual(args, []any{1, "x", 2, 3}) {
		t.Fatalf("got %s %v %v", s, args, err)
	}
	// As a nested ? fragment the shared value is repeated.
	s, args, err = q.Squirrel().ToSql()
	if err != nil || len(args) != 5 {
		t.Fatalf("ToSql: %s %v %v", s, args, err)
	}
	names, rewritten, err := NamedParams("a = :a AND b = @b AND c = :a")
	if err != nil || !reflect.DeepEqual(names, []string{"a", "b", "a"}) || rewritten != "a = ? AND b = ? AND c = ?" {
		t.Fatal(names, rewritten, err)
	}
}

// TestRawNamedSingleUseValueIsBoundAsItself: in ? mode a named parameter
// used once is the value itself among the arguments; only a name used
// more than once is wrapped to be bound once by an outer $ statement.
func TestRawNamedSingleUseValueIsBoundAsItself(t *testing.T) {
	t.Parallel()
	_, args, err := RawNamed("a = :a AND (b = :b OR c = :b)", map[string]any{"a": 1, "b": 2}).ToSql()
	if err != nil {
		t.Fatal(err)
	}
	if len(args) != 3 || !reflect.DeepEqual(args[0], 1) {
		t.Fatalf("args = %#v, want the single-use value 1 first, unwrapped", args)
	}
	if _, wrapped := args[1].(*sharedArg); !wrapped {
		t.Errorf("args[1] = %#v, want the shared value of :b", args[1])
	}
}
