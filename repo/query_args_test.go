package repo

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/normkit/norm/sqlb"
)

// TestQueryRefusesNegativeLimitOffset: a negative Limit or Offset is an
// ErrInvalid naming the value at every way of running the query (as
// sqlb refuses them), and nothing reaches the server; zero is valid.
func TestQueryRefusesNegativeLimitOffset(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	codec, err := sqlb.NewCursorCodec([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	ignore2 := func(_ any, err error) error { return err }
	runs := []struct {
		name string
		run  func(Query[gUser]) error
	}{
		{"Find", func(q Query[gUser]) error { return ignore2(q.Find(ctx)) }},
		{"First", func(q Query[gUser]) error { return ignore2(q.First(ctx)) }},
		{"Last", func(q Query[gUser]) error { return ignore2(q.Last(ctx)) }},
		{"Count", func(q Query[gUser]) error { return ignore2(q.Count(ctx)) }},
		{"Exists", func(q Query[gUser]) error { return ignore2(q.Exists(ctx)) }},
		{"Page", func(q Query[gUser]) error { return ignore2(q.Page(ctx, 1, 10)) }},
		{"Cursor", func(q Query[gUser]) error { return ignore2(q.Cursor(ctx, codec, "", 10)) }},
		{"Delete", func(q Query[gUser]) error { return ignore2(q.Where(sqlb.Eq("id", 1)).Delete(ctx)) }},
		{"ToSQL", func(q Query[gUser]) error { _, _, err := q.ToSQL(); return err }},
		{"Builder", func(q Query[gUser]) error { _, _, err := q.Builder().ToSQL(); return err }},
	}
	tests := []struct {
		name  string
		build func(Query[gUser]) Query[gUser]
		want  string // in the message; "" for a valid query
	}{
		{"negative offset", func(q Query[gUser]) Query[gUser] { return q.Offset(-5) }, "Offset(-5)"},
		{"negative limit", func(q Query[gUser]) Query[gUser] { return q.Limit(-1) }, "Limit(-1)"},
		{"first bad value kept", func(q Query[gUser]) Query[gUser] { return q.Limit(-2).Offset(-3).Limit(5) }, "Limit(-2)"},
		{"zero limit and offset", func(q Query[gUser]) Query[gUser] { return q.Limit(0).Offset(0) }, ""},
	}
	for _, tc := range tests {
		for _, rc := range runs {
			if tc.want == "" && rc.name == "Delete" {
				continue // a delete with Limit or Offset is refused: see TestQueryDeleteRefusesLimitOffset
			}
			t.Run(tc.name+"/"+rc.name, func(t *testing.T) {
				t.Parallel()
				db := &fakeDB{row: func(string, []any) error { return nil }}
				r, err := New[gUser](db)
				if err != nil {
					t.Fatal(err)
				}
				err = rc.run(tc.build(r.Query()))
				if tc.want == "" {
					if err != nil && !errors.Is(err, ErrNotFound) { // the fake has no rows
						t.Fatalf("valid query: %v", err)
					}
					return
				}
				if !errors.Is(err, ErrInvalid) && !errors.Is(err, sqlb.ErrInvalidValue) {
					t.Fatalf("err = %v, want ErrInvalid", err)
				}
				if !strings.Contains(err.Error(), tc.want) {
					t.Errorf("err = %q, want it to name %s", err, tc.want)
				}
				if sent := db.sqls(); len(sent) > 0 {
					t.Errorf("statements sent despite the bad argument: %q", sent)
				}
			})
		}
	}
}

// TestQueryDeleteRefusesLimitOffset: Delete removes every matching row, so
// a query narrowed by Limit or Offset is refused rather than deleting more
// than it selects.
func TestQueryDeleteRefusesLimitOffset(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		build func(Query[gUser]) Query[gUser]
	}{
		{"limit", func(q Query[gUser]) Query[gUser] { return q.Limit(10) }},
		{"offset", func(q Query[gUser]) Query[gUser] { return q.Offset(10) }},
		{"zero limit", func(q Query[gUser]) Query[gUser] { return q.Limit(0) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := &fakeDB{}
			r, err := New[gUser](db)
			if err != nil {
				t.Fatal(err)
			}
			_, err = tc.build(r.Query().Where(sqlb.Eq("email", "x"))).Delete(context.Background())
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "Limit or Offset") {
				t.Fatalf("err = %v, want ErrInvalid naming Limit or Offset", err)
			}
			if sent := db.sqls(); len(sent) > 0 {
				t.Errorf("statements sent: %q", sent)
			}
		})
	}
}
