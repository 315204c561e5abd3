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
