package migrate

import (
	"strings"
	"testing"
)

// TestOrphanHelperCheckDropped: a helper CHECK (col IS NOT NULL) left by an
// online SET NOT NULL that the models no longer want (the column is
// nullable again) is dropped; kept, it would make the column NOT NULL in
// effect while the plan reads empty.
func TestOrphanHelperCheckDropped(t *testing.T) {
	t.Parallel()
	for _, valid := range []bool{false, true} {
		live := &Schema{Tables: []*Table{{Schema: "public", Name: "posts", HasRows: true,
			Columns:     []*Column{{Name: "id", Type: "bigint", NotNull: true}, {Name: "title", Type: "text"}},
			Constraints: []*Constraint{{Name: "posts_title_not_null", Kind: CheckConstraint, Check: "(title IS NOT NULL)", Valid: valid}}}}}
		want := &Schema{Tables: []*Table{{Schema: "public", Name: "posts",
			Columns: []*Column{{Name: "id", Type: "bigint", NotNull: true}, {Name: "title", Type: "text"}}}}}
		p := Diff(live, want, PlanOptions{Online: true})
		if len(p.Steps) != 1 || p.Steps[0].Kind != DropHelperCheck || !strings.Contains(p.Steps[0].SQL, `DROP CONSTRAINT "posts_title_not_null"`) {
			t.Errorf("valid=%t: plan\n%s\nwant one drop_helper_check of posts_title_not_null", valid, p.Text())
		}
		if p.MaxSeverity() >= Unsafe {
			t.Errorf("valid=%t: dropping norm's own helper check is %s, want no unsafe hazard", valid, p.MaxSeverity())
		}
	}
}

// TestDeclaredHelperCheckKept: a desired schema that declares the helper
// check itself (a catalog used as the target of a down file) keeps it.
func TestDeclaredHelperCheckKept(t *testing.T) {
	t.Parallel()
	check := func() *Constraint {
		return &Constraint{Name: "posts_title_not_null", Kind: CheckConstraint, Check: "(title IS NOT NULL)", Valid: true}
	}
	live := &Schema{Tables: []*Table{{Schema: "public", Name: "posts",
		Columns:     []*Column{{Name: "title", Type: "text"}},
		Constraints: []*Constraint{check()}}}}
	want := &Schema{Tables: []*Table{{Schema: "public", Name: "posts",
		Columns:     []*Column{{Name: "title", Type: "text"}},
		Constraints: []*Constraint{check()}}}}
	if p := Diff(live, want, PlanOptions{}); !p.Empty() {
		t.Errorf("plan\n%s\nwant none: the desired schema declares the check", p.Text())
	}
}
