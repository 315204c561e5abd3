package sqlb

import (
	"database/sql"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestKeyset(t *testing.T) {
	t.Parallel()
	base := Select("id", "created_at", "title").From("posts").Where(Eq("draft", false))
	desc := base.OrderBy(Desc("created_at")).TieBreaker("id").Limit(20)
	mixed := base.OrderBy(Desc("created_at"), Asc("title")).TieBreaker("id").Limit(20)
	runGolden(t, "keyset", []golden{
		{name: "first page", b: desc.After(Cursor{})},
		{name: "after same direction", b: desc.After(Cursor{Values: []any{"T", 5}})},
		{name: "before same direction", b: desc.Before(Cursor{Values: []any{"T", 5}})},
		{name: "last page", b: desc.Before(Cursor{})},
		{name: "after mixed", b: mixed.After(Cursor{Values: []any{"T", "b", 5}})},
		{name: "before mixed", b: mixed.Before(Cursor{Values: []any{"T", "b", 5}})},
		{name: "single key", b: Select("id").From("t").OrderBy(Asc("id")).After(Cursor{Values: []any{3}})},
		{name: "qualified keys in before", b: Select("p.id").From(As("posts", "p")).OrderBy(Asc("p.id")).Before(Cursor{Values: []any{3}})},
		{name: "wrong value count", b: desc.After(Cursor{Values: []any{1}}), err: ErrCursor},
		{name: "wrong ordering", b: desc.After(Cursor{Keys: []string{"title ASC", "id ASC"}, Values: []any{1, 2}}), err: ErrCursor, msg: "made for ordering"},
		{name: "null value", b: desc.After(Cursor{Values: []any{nil, 2}}), err: ErrCursor},
		{name: "raw order", b: base.OrderByRaw("random()").After(Cursor{}), err: ErrInvalidValue},
		{name: "no order", b: base.After(Cursor{}), err: ErrIncomplete},
	})
	keys, _ := mixed.After(Cursor{}).PageKeys()
	if len(keys) != 3 || keys[2] != Asc("id") {
		t.Fatal(keys)
	}
	c, err := desc.CursorFrom(map[string]any{"id": 5, "created_at": "T", "title": "x"})
	if err != nil || !reflect.DeepEqual(c, Cursor{Keys: []string{"created_at DESC", "id DESC"}, Values: []any{"T", 5}}) {
		t.Fatal(c, err)
	}
	if _, _, err := desc.After(c).ToSQL(); err != nil {
		t.Fatal(err)
	}
	if _, err := desc.CursorFrom(map[string]any{"id": 5}); !errors.Is(err, ErrCursor) {
		t.Fatal(err)
	}
	if _, err := Select("a").From("t").CursorFrom(map[string]any{}); !errors.Is(err, ErrIncomplete) {
		t.Fatal(err)
	}
}

func TestCursorCodec(t *testing.T) {
	if _, err := NewCursorCodec([]byte("short")); !errors.Is(err, ErrInvalidValue) {
		t.Fatal(err)
	}
	cc, err := NewCursorCodec([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	ts := time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.FixedZone("x", 3600))
	in := Cursor{Keys: []string{"a ASC"}, Values: []any{int64(-5), uint64(1 << 63), int32(7), "s", true, 1.5, []byte{1, 2}, ts, [16]byte{1}, nil, &ts}}
	tok, err := cc.Encode(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := cc.Decode(tok)
	if err != nil {
		t.Fatal(err)
	}
	want := []any{int64(-5), uint64(1 << 63), int64(7), "s", true, 1.5, []byte{1, 2}, ts, [16]byte{1}, nil, ts}
	for i := range want {
		if wt, ok := want[i].(time.Time); ok {
			if !out.Values[i].(time.Time).Equal(wt) {
				t.Fatalf("value %d: %v", i, out.Values[i])
			}
			continue
		}
		if !reflect.DeepEqual(out.Values[i], want[i]) {
			t.Fatalf("value %d = %#v, want %#v", i, out.Values[i], want[i])
		}
	}
	if !reflect.DeepEqual(out.Keys, in.Keys) {
		t.Fatal(out.Keys)
	}
	// Every single-character change is detected.
	for i := 0; i < len(tok); i++ {
		for _, c := range []byte{'A', 'x', '_', '.'} {
			if tok[i] == c {
				continue
			}
			bad := tok[:i] + string(c) + tok[i+1:]
			if _, err := cc.Decode(bad); !errors.Is(err, ErrCursor) {
				t.Fatalf("tampered token %q accepted", bad)
			}
		}
	}
	other, _ := NewCursorCodec([]byte("another-key-of-sufficient-length"))
	if _, err := other.Decode(tok); !errors.Is(err, ErrCursor) {
		t.Fatal("token accepted under another key")
	}
	if c, err := cc.Decode(""); err != nil || !c.IsZero() {
		t.Fatal(c, err)
	}
	if _, err := cc.Encode(Cursor{Values: []any{struct{}{}}}); !errors.Is(err, ErrCursor) {
		t.Fatal(err)
	}
	if strings.ContainsAny(tok, "+/=") {
		t.Fatal("token is not URL-safe")
	}
}

type nullableRow struct {
	ID     int64          `db:"id"`
	SeenAt *time.Time     `db:"seen_at"`
	Name   sql.NullString `db:"name"`
}

func (nullableRow) TableName() string { return "rows" }

// TestKeysetRefusesNullPositions: a NULL sort value would make the next
// page silently empty (comparisons with NULL are never true), whether it
// comes from a row or from a cursor made by hand.
func TestKeysetRefusesNullPositions(t *testing.T) {
	t.Parallel()
	page := func(key string) SelectBuilder {
		return Select("id").From("rows").OrderBy(Asc(key)).TieBreaker("id").After(Cursor{})
	}
	for _, tt := range []struct {
		name string
		key  string
		row  any
	}{
		{"nil pointer field", "seen_at", nullableRow{ID: 1}},
		{"invalid sql.Null field", "name", &nullableRow{ID: 1}},
		{"nil in a map", "seen_at", map[string]any{"seen_at": nil, "id": int64(1)}},
		{"typed nil in a map", "seen_at", map[string]any{"seen_at": (*time.Time)(nil), "id": int64(1)}},
	} {
		_, err := page(tt.key).CursorFrom(tt.row)
		if !errors.Is(err, ErrCursor) || !strings.Contains(err.Error(), tt.key) {
			t.Errorf("%s: CursorFrom = %v, want ErrCursor naming %s", tt.name, err, tt.key)
		}
	}
	now := time.Now()
	if _, err := page("seen_at").CursorFrom(nullableRow{ID: 1, SeenAt: &now}); err != nil {
		t.Errorf("CursorFrom with a value: %v", err)
	}
	for _, v := range []any{(*time.Time)(nil), sql.NullString{}, []byte(nil)} {
		b := Select("id").From("rows").OrderBy(Asc("seen_at")).TieBreaker("id").After(Cursor{Values: []any{v, int64(1)}})
		if _, _, err := b.ToSQL(); !errors.Is(err, ErrCursor) {
			t.Errorf("After(cursor holding %#v).ToSQL = %v, want ErrCursor", v, err)
		}
	}
}

// TestKeysetCursorOrderingMismatch checks that a cursor recording the
// ordering it was made for (Cursor.Keys) is refused under any other
// ordering: one single key against another, and orderings of one and two
// keys either way, including when the value count alone would fit.
func TestKeysetCursorOrderingMismatch(t *testing.T) {
	t.Parallel()
	byID := Select("id", "title").From("posts").OrderBy(Asc("id"))
	byIDDesc := Select("id", "title").From("posts").OrderBy(Desc("id"))
	byTitle := Select("id", "title").From("posts").OrderBy(Asc("title"))
	twoKeys := Select("id", "title").From("posts").OrderBy(Asc("title")).TieBreaker("id")
	tests := []struct {
		name   string
		b      SelectBuilder
		before bool
		c      Cursor
		msg    string
	}{
		{name: "other single column", b: byTitle, c: Cursor{Keys: []string{"id ASC"}, Values: []any{5}},
			msg: "sqlb: Select.After/Before: invalid cursor: cursor was made for ordering id ASC"},
		{name: "same column other direction", b: byIDDesc, c: Cursor{Keys: []string{"id ASC"}, Values: []any{5}},
			msg: "sqlb: Select.After/Before: invalid cursor: cursor was made for ordering id ASC"},
		{name: "other single column before", b: byTitle, before: true, c: Cursor{Keys: []string{"id ASC"}, Values: []any{5}},
			msg: "sqlb: Select.After/Before: invalid cursor: cursor was made for ordering id ASC"},
		{name: "one-key cursor two-key ordering", b: twoKeys, c: Cursor{Keys: []string{"title ASC"}, Values: []any{"x", 5}},
			msg: "sqlb: Select.After/Before: invalid cursor: cursor was made for ordering title ASC"},
		{name: "two-key cursor one-key ordering", b: byID, c: Cursor{Keys: []string{"id ASC", "title ASC"}, Values: []any{5}},
			msg: "sqlb: Select.After/Before: invalid cursor: cursor was made for ordering id ASC, title ASC"},
		{name: "one-key values on two-key ordering", b: twoKeys, c: Cursor{Keys: []string{"id ASC"}, Values: []any{5}},
			msg: "sqlb: Select.After/Before: invalid cursor: cursor has 1 values for 2 sort keys"},
		{name: "two-key values on one-key ordering", b: byID, c: Cursor{Keys: []string{"title ASC", "id ASC"}, Values: []any{"x", 5}},
			msg: "sqlb: Select.After/Before: invalid cursor: cursor has 2 values for 1 sort keys"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := tt.b.After(tt.c)
			if tt.before {
				b = tt.b.Before(tt.c)
			}
			sql, args, err := b.ToSQL()
			if !errors.Is(err, ErrCursor) || err.Error() != tt.msg {
				t.Fatalf("ToSQL = %q, %v, %v; want error %q wrapping ErrCursor", sql, args, err, tt.msg)
			}
			if sql != "" || args != nil {
				t.Errorf("ToSQL rendered %q, %v alongside the error", sql, args)
			}
		})
	}

	// The cursor made for the ordering in use is accepted.
	sql, args, err := byID.After(Cursor{Keys: []string{"id ASC"}, Values: []any{5}}).ToSQL()
	const want = `SELECT "id", "title" FROM "posts" WHERE "id" > $1 ORDER BY "id" ASC`
	if err != nil || sql != want || !reflect.DeepEqual(args, []any{5}) {
		t.Fatalf("matching cursor: ToSQL = %q, %v, %v; want %q, [5]", sql, args, err, want)
	}
}
