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
// InsertStruct leaves such a column out; UpsertStruct writes DEFAULT, so
// EXCLUDED holds the default too, and writes the identity key of its
// conflict target.
func TestInsertStructLeavesZeroDefaults(t *testing.T) {
	t.Parallel()
	no := false
	const all = `("id", "active", "opt", "maybe", "seen", "plain", "counter")`
	cases := []struct {
		name   string
		v      *Flagged
		insert string // InsertStruct's columns … RETURNING
		upsert string // UpsertStruct's columns … VALUES (…)
		ret    string // UpsertStruct's RETURNING ("" none)
	}{
		{"all zero", &Flagged{},
			`("plain") VALUES ($1) RETURNING "id", "active", "opt", "maybe", "seen", "counter"`,
			all + ` VALUES ($1, DEFAULT, DEFAULT, DEFAULT, DEFAULT, $2, DEFAULT)`, ` RETURNING "active", "opt", "maybe", "seen", "counter"`},
		{"explicit values", &Flagged{Active: true, Opt: &no, Maybe: sql.NullBool{Valid: true}, Seen: time.Unix(1, 0), Counter: 2},
			`("active", "opt", "maybe", "seen", "plain", "counter") VALUES ($1, $2, $3, $4, $5, $6) RETURNING "id"`,
			all + ` VALUES ($1, $2, $3, $4, $5, $6, $7)`, ""},
	}
	for _, c := range cases {
		s, _, err := InsertStruct(c.v).ToSQL()
		if err != nil || s != `INSERT INTO "flaggeds" `+c.insert {
			t.Errorf("%s: InsertStruct = %s, %v\nwant %s", c.name, s, err, c.insert)
		}
		s, _, err = UpsertStruct(c.v, []string{"id"}, nil).ToSQL()
		if err != nil || !strings.HasPrefix(s, `INSERT INTO "flaggeds" `+c.upsert+` ON CONFLICT ("id") DO UPDATE`) || !strings.HasSuffix(s, `EXCLUDED."counter"`+c.ret) {
			t.Errorf("%s: UpsertStruct = %s, %v\nwant %s … %s", c.name, s, err, c.upsert, c.ret)
		}
	}
}
