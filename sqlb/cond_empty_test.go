package sqlb

import (
	"errors"
	"testing"
)

// TestConditionsWithoutOperands renders the conditions whose operands are
// missing or nil: an In of no list is FALSE and a NotIn TRUE (as for an
// empty list), an And of nothing is TRUE and an Or FALSE, a nil inside
// And/Or is skipped, and Not of nil is an error, not NOT ().
func TestConditionsWithoutOperands(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		c     Sqlizer
		want  string
		nargs int
	}{
		{"In nil", In("a", nil), "FALSE", 0},
		{"NotIn nil", NotIn("a", nil), "TRUE", 0},
		{"In empty array", In("a", [0]int{}), "FALSE", 0},
		{"NotIn array", NotIn("a", [2]int{1, 2}), `"a" <> ALL(?)`, 1},
		{"And of nothing", And(), "TRUE", 0},
		{"Or of nothing", Or(), "FALSE", 0},
		{"And of nils", And(nil, nil), "TRUE", 0},
		{"Or of nils", Or(nil), "FALSE", 0},
		{"And skips nil", And(nil, Eq("a", 1), nil, Eq("b", 2)), `("a" = ? AND "b" = ?)`, 2},
		{"Or skips a leading nil", Or(nil, Eq("a", 1)), `("a" = ?)`, 1},
		{"Not", Not(Eq("a", 1)), `NOT ("a" = ?)`, 1},
	}
	for _, tt := range tests {
		s, args, err := tt.c.ToSql()
		if err != nil || s != tt.want || len(args) != tt.nargs {
			t.Errorf("%s: ToSql = %q, %d args, %v; want %q, %d args", tt.name, s, len(args), err, tt.want, tt.nargs)
		}
	}
}

// TestConditionErrorsReachTheStatement: an error inside Not, Exists or a
// junction fails the condition that holds it, and no SQL comes out.
func TestConditionErrorsReachTheStatement(t *testing.T) {
	t.Parallel()
	bad := Eq("", 1) // empty column
	tests := []struct {
		name string
		c    Sqlizer
		want error
	}{
		{"Not nil", Not(nil), ErrInvalidValue},
		{"Not of a bad condition", Not(bad), ErrInvalidIdentifier},
		{"And holding a bad condition", And(Eq("a", 1), bad), ErrInvalidIdentifier},
		{"Exists of a bad subquery", Exists(Select("a").From("")), ErrInvalidIdentifier},
		{"NotExists of a bad subquery", NotExists(Select("a").From("")), ErrInvalidIdentifier},
		{"In of a bad subquery", In("a", Select("").From("t")), ErrInvalidIdentifier},
		{"IsNull of a bad column", IsNull("a..b"), ErrInvalidIdentifier},
		{"NotNull of a bad column", NotNull(""), ErrInvalidIdentifier},
	}
	for _, tt := range tests {
		s, args, err := tt.c.ToSql()
		if !errors.Is(err, tt.want) || s != "" || args != nil {
			t.Errorf("%s: ToSql = %q, %v, %v; want no SQL and %v", tt.name, s, args, err, tt.want)
		}
	}
}
