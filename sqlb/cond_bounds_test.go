package sqlb

import (
	"errors"
	"strings"
	"testing"
)

// TestBetweenChecksBothBounds: a value sqlb cannot send (a func, a
// channel, the DEFAULT keyword) is refused as the high bound as well as
// the low one, by Between itself, so the error names it.
func TestBetweenChecksBothBounds(t *testing.T) {
	t.Parallel()
	for _, bad := range []any{func() {}, make(chan int), Default} {
		for _, c := range []Sqlizer{Between("a", 1, bad), Between("a", bad, 1)} {
			_, _, err := c.ToSql()
			if !errors.Is(err, ErrInvalidValue) || !strings.Contains(err.Error(), `Between("a")`) {
				t.Errorf("Between with a %T bound = %v, want ErrInvalidValue from Between(\"a\")", bad, err)
			}
		}
	}
	if s, args, err := Between("a", 1, 2).ToSql(); err != nil || s != `"a" BETWEEN ? AND ?` || len(args) != 2 {
		t.Errorf("Between(a, 1, 2) = %q, %v, %v", s, args, err)
	}
}

// TestNotInRefusesLeadingNull: the NULL check of NotIn covers the first
// element too.
func TestNotInRefusesLeadingNull(t *testing.T) {
	t.Parallel()
	for _, list := range []any{[]any{nil, 1}, []*int{nil}} {
		_, _, err := NotIn("a", list).ToSql()
		if !errors.Is(err, ErrInvalidValue) || !strings.Contains(err.Error(), "element 0") {
			t.Errorf("NotIn(%#v) = %v, want ErrInvalidValue naming element 0", list, err)
		}
	}
}
