package migrate

import (
	"fmt"
	"testing"
)

// TestAssumePopulated: an empty live table gets the plain, transactional
// forms unless the plan assumes rows, as `migrate diff` does for files
// that will run on populated databases.
func TestAssumePopulated(t *testing.T) {
	t.Parallel()
	live := func() *Schema {
		return &Schema{Tables: []*Table{{Schema: "public", Name: "users", HasRows: false,
			Columns: []*Column{{Name: "id", Type: "bigint", NotNull: true}, {Name: "email", Type: "text"}}}}}
	}
	want := &Schema{Tables: []*Table{{Schema: "public", Name: "users",
		Columns: []*Column{{Name: "id", Type: "bigint", NotNull: true}, {Name: "email", Type: "text", NotNull: true}},
		Indexes: []*Index{{Name: "users_email_idx", Method: "btree", Columns: []string{"email"}, Valid: true}}}}}
	tests := []struct {
		name string
		opts PlanOptions
		want []string // kind/transactional of each step
	}{
		{"empty table, online", PlanOptions{Online: true},
			[]string{"create_index/true", "set_not_null/true"}},
		{"assumed rows, offline", PlanOptions{AssumePopulated: true},
			[]string{"create_index/true", "set_not_null/true"}},
		{"assumed rows, online", PlanOptions{Online: true, AssumePopulated: true},
			[]string{"add_constraint/true", "create_index/false", "validate_constraint/false", "set_not_null/false", "drop_helper_check/false"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := Diff(live(), want, tt.opts)
			var got []string
			for _, s := range p.Steps {
				got = append(got, fmt.Sprintf("%s/%t", s.Kind, s.Transactional))
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("steps %v, want %v\n%s", got, tt.want, p.Text())
			}
			if tt.opts.AssumePopulated && !tt.opts.Online && p.MaxSeverity() < Unsafe {
				t.Errorf("assumed rows offline: worst hazard %v, want unsafe (blocking index, scan)", p.MaxSeverity())
			}
		})
	}
}
