package sqlb

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

type postRow struct {
	ID    int64  `db:"id"`
	Title string `db:"title"`
}

func (postRow) TableName() string { return "posts" }

// TestPageKeysWithoutPagination: a TieBreaker alone, or an OrderBy alone,
// asks for no keyset; a tie-breaker already among the order keys is not
// added twice; a page with only a tie-breaker orders by it ascending.
func TestPageKeysWithoutPagination(t *testing.T) {
	t.Parallel()
	base := Select("id", "title").From("posts")
	tests := []struct {
		name string
		b    SelectBuilder
		want []SortKey
	}{
		{"TieBreaker alone", base.TieBreaker("id"), nil},
		{"OrderBy alone", base.OrderBy(Asc("id")), nil},
		{"tie-breaker among the keys", base.OrderBy(Desc("id"), Asc("title")).TieBreaker("id"), []SortKey{Desc("id"), Asc("title")}},
		{"page with a tie-breaker only", base.TieBreaker("id").After(Cursor{}), []SortKey{Asc("id")}},
	}
	for _, tt := range tests {
		got, err := tt.b.PageKeys()
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: PageKeys = %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
	if _, _, err := base.TieBreaker("a..b").After(Cursor{}).ToSQL(); !errors.Is(err, ErrInvalidIdentifier) || !strings.Contains(err.Error(), `TieBreaker("a..b")`) {
		t.Errorf("TieBreaker(a..b): %v, want ErrInvalidIdentifier from TieBreaker", err)
	}
}

// TestKeysetCursorChecks: a cursor made without Keys is taken as it is,
// one whose value sqlb cannot send is refused, and a page on a single key
// with only a tie-breaker renders one comparison.
func TestKeysetCursorChecks(t *testing.T) {
	t.Parallel()
	page := Select("id").From("posts").TieBreaker("id")
	s, args, err := page.After(Cursor{Values: []any{7}}).ToSQL()
	if err != nil || !strings.Contains(s, `WHERE "id" > $1`) || len(args) != 1 {
		t.Errorf("After({7}) = %q, %v, %v; want \"id\" > $1", s, args, err)
	}
	s, _, err = page.Before(Cursor{Values: []any{7}}).ToSQL()
	if err != nil || !strings.Contains(s, `WHERE "id" < $1`) {
		t.Errorf("Before({7}) = %q, %v; want \"id\" < $1", s, err)
	}
	if _, _, err := page.After(Cursor{Values: []any{func() {}}}).ToSQL(); !errors.Is(err, ErrInvalidValue) {
		t.Errorf("cursor holding a func: %v, want ErrInvalidValue", err)
	}
}

// TestCursorFromRows: CursorFrom reads a struct, a pointer to one or a
// map, and names what is wrong with anything else.
func TestCursorFromRows(t *testing.T) {
	t.Parallel()
	page := Select("id", "title").From("posts").OrderBy(Asc("p.title")).TieBreaker("id").After(Cursor{})
	want := Cursor{Keys: []string{"p.title ASC", "id ASC"}, Values: []any{"t", int64(3)}}
	row := postRow{ID: 3, Title: "t"}
	for _, r := range []any{row, &row, map[string]any{"id": int64(3), "title": "t"}} {
		if c, err := page.CursorFrom(r); err != nil || !reflect.DeepEqual(c, want) {
			t.Errorf("CursorFrom(%T) = %v, %v; want %v", r, c, err, want)
		}
	}
	bad := []struct {
		name string
		b    SelectBuilder
		row  any
		want error
	}{
		{"not a struct", page, 42, ErrInvalidValue},
		{"nil pointer", page, (*postRow)(nil), ErrInvalidValue},
		{"struct without the column", page.TieBreaker("missing"), row, ErrCursor},
		{"map without the column", page, map[string]any{"id": 3}, ErrCursor},
		{"unmappable struct", page, struct{ f func() }{}, nil},
	}
	for _, tt := range bad {
		c, err := tt.b.CursorFrom(tt.row)
		if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) || !c.IsZero() {
			t.Errorf("%s: CursorFrom = %v, %v; want an error (%v)", tt.name, c, err, tt.want)
		}
	}
}
