package migrate

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestDeparsedExpressionsCompareExactly: once deparse has given a model's
// table the server's forms, Diff compares them with the catalog's
// verbatim (no hand normalising either way); without them it falls back
// to normalizeExpr.
func TestDeparsedExpressionsCompareExactly(t *testing.T) {
	t.Parallel()
	live := func(def, where string) *Schema {
		return &Schema{Tables: []*Table{{Schema: "public", Name: "t",
			Columns: []*Column{{Name: "n", Type: "integer", NotNull: true, Default: def}},
			Indexes: []*Index{{Name: "t_n_idx", Method: "btree", Columns: []string{"n"}, Where: where, Valid: true}}}}}
	}
	model := func(deparsed bool, def, serverDef, where, serverWhere string) *Schema {
		return &Schema{Tables: []*Table{{Schema: "public", Name: "t", deparsedDefaults: deparsed, deparsedKeys: deparsed,
			Columns: []*Column{{Name: "n", Type: "integer", NotNull: true, Default: def, serverDefault: serverDef}},
			Indexes: []*Index{{Name: "t_n_idx", Method: "btree", Columns: []string{"n"}, Where: where, serverWhere: serverWhere, Valid: true}}}}}
	}
	cases := []struct {
		name       string
		live, want *Schema
		kinds      []StepKind
	}{
		{"server forms equal", live("(1 + 2)", "(n > 0)"), model(true, "1+2", "(1 + 2)", "n>0", "(n > 0)"), nil},
		{"server default differs", live("(1 + 2)", "(n > 0)"), model(true, "1+3", "(1 + 3)", "n>0", "(n > 0)"), []StepKind{SetDefault}},
		{"server predicate differs", live("3", "(n > 0)"), model(true, "3", "3", "n>=0", "(n >= 0)"), []StepKind{DropIndex, CreateIndex}},
		{"DEFAULT NULL is not stored", live("", ""), model(true, "NULL", "", "", ""), nil},
		{"hand normaliser without server forms", live("'x'::text", "(n > 0)"), model(false, "'x'", "", "n > 0", ""), nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got []StepKind
			for _, s := range Diff(tc.live, tc.want, PlanOptions{}).Steps {
				got = append(got, s.Kind)
			}
			if strings.Join(kindStrings(got), ",") != strings.Join(kindStrings(tc.kinds), ",") {
				t.Errorf("steps %v, want %v", got, tc.kinds)
			}
		})
	}
}

func kindStrings(ks []StepKind) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return out
}

// TestUnsettled: only what the hand normaliser cannot decide against the
// live table (or what has no live counterpart yet) goes to the server.
func TestUnsettled(t *testing.T) {
	t.Parallel()
	liveT := &Table{Schema: "public", Name: "t",
		Columns: []*Column{{Name: "a", Type: "text", Default: "'x'::text"}, {Name: "g", Type: "text", Generated: "lower(a)"}},
		Indexes: []*Index{{Name: "t_a_idx", Method: "btree", Columns: []string{"a"}, Where: "(a <> ''::text)", Valid: true}}}
	live := &Schema{Tables: []*Table{liveT}}
	model := func(def, where, gen string, extra ...*Column) *Table {
		m := &Table{Schema: "public", Name: "t",
			Columns: append([]*Column{{Name: "a", Type: "text", Default: def}, {Name: "g", Type: "text", Generated: gen}}, extra...),
			Indexes: []*Index{{Name: "t_a_idx", Method: "btree", Columns: []string{"a"}, Where: where, Valid: true}}}
		return m
	}
	cases := []struct {
		name           string
		live           *Schema
		want           *Table
		defaults, keys bool
	}{
		{"all settled by hand", live, model("'x'", "a <> ''", "lower(a)"), false, false},
		{"default the hand cannot settle", live, model("lower('X')", "a <> ''", "lower(a)"), true, false},
		{"predicate the hand cannot settle", live, model("'x'", "a NOT IN ('')", "lower(a)"), false, true},
		{"new column with a default", live, model("'x'", "a <> ''", "lower(a)", &Column{Name: "b", Type: "integer", Default: "0"}), true, false},
		{"new generated column", live, model("'x'", "a <> ''", "lower(a)", &Column{Name: "h", Type: "text", Generated: "upper(a)"}), false, true},
		{"new table", &Schema{}, model("'x'", "a <> ''", "lower(a)"), true, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			defaults, keys := unsettled(tc.live, tc.want)
			if defaults != tc.defaults || keys != tc.keys {
				t.Errorf("unsettled = defaults %v, keys %v; want %v, %v", defaults, keys, tc.defaults, tc.keys)
			}
		})
	}
}

// TestRejects: only the server refusing the statement itself is blamed
// on the model's expression or types.
func TestRejects(t *testing.T) {
	t.Parallel()
	cases := []struct {
		err  error
		want bool
	}{
		{&pgconn.PgError{Code: "42883"}, true},  // undefined function
		{&pgconn.PgError{Code: "22P02"}, true},  // invalid text representation
		{&pgconn.PgError{Code: "42704"}, true},  // undefined type
		{&pgconn.PgError{Code: "57014"}, false}, // statement timeout
		{&pgconn.PgError{Code: "08006"}, false}, // connection failure
		{&pgconn.PgError{Code: "40P01"}, false}, // deadlock
		{fmt.Errorf("wrapped: %w", &pgconn.PgError{Code: "42601"}), true},
		{context.Canceled, false},
	}
	for _, tc := range cases {
		if got := rejects(tc.err); got != tc.want {
			t.Errorf("rejects(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

// TestSlotTables: defaults share temporary tables of at most maxSlots
// columns, and a read-back column dJ of table K lands on slot K*maxSlots+J.
func TestSlotTables(t *testing.T) {
	t.Parallel()
	tbl := &Table{Schema: "public", Name: "t"}
	for i := 0; i < 2*maxSlots+5; i++ {
		tbl.Columns = append(tbl.Columns, &Column{Name: fmt.Sprintf("c%d", i), Type: "integer", Default: strconv.Itoa(i)})
	}
	tbl.Columns = append(tbl.Columns, &Column{Name: "g", Type: "integer", Generated: "c0 + 1"}, &Column{Name: "plain", Type: "text"})
	slots := defaultSlots([]*Table{tbl})
	if len(slots) != 2*maxSlots+5 {
		t.Fatalf("%d slots, want %d (generated and plain columns have none)", len(slots), 2*maxSlots+5)
	}
	stmts := slotTables(slots)
	if len(stmts) != 3 || !strings.HasPrefix(stmts[2], `CREATE TEMP TABLE "norm_deparse_defaults_2" ("d0" integer DEFAULT (2000), `) {
		t.Fatalf("%d statements; last starts %.80s", len(stmts), stmts[len(stmts)-1])
	}
	if err := readSlot(slots, "2", "d4", "2004"); err != nil {
		t.Fatal(err)
	}
	if got := tbl.Columns[2*maxSlots+4].serverDefault; got != "2004" {
		t.Errorf("slot 2/d4 went to %q, want column c2004", got)
	}
	if err := readSlot(slots, "x", "d4", "1"); err == nil {
		t.Error("readSlot accepted a bad table number")
	}
}
