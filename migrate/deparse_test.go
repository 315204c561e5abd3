package migrate

import (
	"strings"
	"testing"
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
		return &Schema{Tables: []*Table{{Schema: "public", Name: "t", deparsed: deparsed,
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
