package sqlb

import (
	"database/sql"
	"reflect"
	"strings"
	"testing"
	"time"
)

type Flagged struct {
	ID      int64        `db:"id"`
	Active  bool         `db:"active" norm:"default:true"`
	Opt     *bool        `db:"opt" norm:"default:true"`
	Maybe   sql.NullBool `db:"maybe" norm:"default:true"`
	Seen    time.Time    `db:"seen" norm:"default:now()"`
	Plain   bool         `db:"plain"`
	Counter int          `db:"counter" norm:"default:1"`
}

// TestLeftToDefault pins the rule of a defaulted field on INSERT: its Go
// zero value (false, 0, "", the zero time, a nil pointer, a Null type with
// Valid false) leaves the column to its default; any other value, a
// pointer to a zero value included, is written.
func TestLeftToDefault(t *testing.T) {
	t.Parallel()
	m, err := ModelOf[Flagged]()
	if err != nil {
		t.Fatal(err)
	}
	no := false
	cases := []struct {
		name string
		v    Flagged
		col  string
		want bool
	}{
		{"zero bool", Flagged{}, "active", true},
		{"true bool", Flagged{Active: true}, "active", false},
		{"nil pointer", Flagged{}, "opt", true},
		{"pointer to false", Flagged{Opt: &no}, "opt", false},
		{"null type invalid", Flagged{}, "maybe", true},
		{"null type valid false", Flagged{Maybe: sql.NullBool{Valid: true}}, "maybe", false},
		{"zero time", Flagged{}, "seen", true},
		{"set time", Flagged{Seen: time.Unix(1, 0)}, "seen", false},
		{"no default tag", Flagged{}, "plain", false},
		{"zero int", Flagged{}, "counter", true},
		{"identity is never written", Flagged{}, "id", false},
	}
	for _, c := range cases {
		got := m.Field(c.col).LeftToDefault(reflect.ValueOf(c.v))
		if got != c.want {
			t.Errorf("%s: LeftToDefault(%s) = %v, want %v", c.name, c.col, got, c.want)
		}
	}
}

// TestInsertStructLeavesZeroDefaults checks InsertStruct and UpsertStruct
// follow that rule without any option: a zero default:true bool is not
// stored as false, and a zero time with default:now() not as year 1.
func TestInsertStructLeavesZeroDefaults(t *testing.T) {
	t.Parallel()
	no := false
	cases := []struct {
		name      string
		v         *Flagged
		cols, ret string
	}{
		{"all zero", &Flagged{}, `("plain")`, `RETURNING "id", "active", "opt", "maybe", "seen", "counter"`},
		{"explicit values", &Flagged{Active: true, Opt: &no, Maybe: sql.NullBool{Valid: true}, Seen: time.Unix(1, 0), Counter: 2},
			`("active", "opt", "maybe", "seen", "plain", "counter")`, `RETURNING "id"`},
	}
	for _, c := range cases {
		for _, st := range []Statement{InsertStruct(c.v), UpsertStruct(c.v, []string{"id"}, nil)} {
			s, _, err := st.ToSQL()
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(s, `INSERT INTO "flaggeds" `+c.cols+` VALUES`) || !strings.Contains(s, c.ret) {
				t.Errorf("%s: %s\nwant columns %s and %s", c.name, s, c.cols, c.ret)
			}
		}
	}
}
