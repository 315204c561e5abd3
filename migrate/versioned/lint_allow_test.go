package versioned

import (
	"errors"
	"strings"
	"testing"

	"github.com/normkit/norm/migrate"
)

func TestLintAllowances(t *testing.T) {
	t.Parallel()
	src := `-- norm:allow drop-column the code stopped using it in v42
-- norm:no-transaction
ALTER TABLE t DROP COLUMN a;

-- norm:allow blocking-index small lookup table
CREATE INDEX t_b ON t (b);
CREATE INDEX t_c ON t (c);
`
	sc, err := parseScript("0002_x.up.sql", src)
	if err != nil {
		t.Fatalf("the runner must accept allow comments anywhere: %v", err)
	}
	sc.Text = src
	if !sc.NoTransaction {
		t.Error("the no-transaction directive was lost next to an allow comment")
	}
	allow, err := allowances(sc)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		stmt   int
		code   string
		reason string
		ok     bool
	}{
		{0, "drop-column", "the code stopped using it in v42", true},
		{2, "drop-column", "the code stopped using it in v42", true}, // per file
		{1, "blocking-index", "small lookup table", true},
		{2, "blocking-index", "", false}, // per statement: not the next one
		{0, "table-rewrite", "", false},
	}
	for _, tc := range tests {
		reason, ok := allowedBy(allow, tc.stmt, tc.code)
		if ok != tc.ok || reason != tc.reason {
			t.Errorf("statement %d code %s: allowed %v %q, want %v %q", tc.stmt, tc.code, ok, reason, tc.ok, tc.reason)
		}
	}
}

func TestLintAllowancesBad(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ src, want string }{
		{"-- norm:allow drop-column\nSELECT 1;\n", `x.sql:1: "norm:allow drop-column" needs a hazard code and a reason`},
		{"-- norm:allow\nSELECT 1;\n", `x.sql:1: "norm:allow" needs a hazard code and a reason`},
		{"SELECT 1;\n-- norm:allow no-such because\nSELECT 2;\n", `x.sql:2: "norm:allow no-such because": unknown hazard code "no-such"`},
	} {
		sc, err := parseScript("x.sql", tc.src)
		if err != nil {
			t.Fatal(err)
		}
		sc.Text = tc.src
		_, err = allowances(sc)
		if !errors.Is(err, ErrBadFile) || err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want ErrBadFile naming %q", tc.src, err, tc.want)
		}
	}
}

func TestLintReportUnsafe(t *testing.T) {
	t.Parallel()
	f := func(sev int, allowed bool) LintFile {
		return LintFile{Findings: []LintFinding{{Code: "x", Severity: migrate.Severity(sev), Allowed: allowed}}}
	}
	tests := []struct {
		file LintFile
		want bool
	}{
		{LintFile{}, false},
		{f(2, false), false}, // warning
		{f(3, false), true},  // unsafe
		{f(4, false), true},  // destructive
		{f(4, true), false},  // accepted
	}
	for i, tc := range tests {
		r := &LintReport{Files: []LintFile{tc.file}}
		if got := r.Unsafe(); got != tc.want {
			t.Errorf("case %d: Unsafe() = %v, want %v", i, got, tc.want)
		}
	}
}
