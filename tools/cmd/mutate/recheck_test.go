package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/normkit/norm/tools/internal/modset"
)

func TestApplyMutantReplacesTheTokenAtThePosition(t *testing.T) {
	t.Parallel()
	src := "package p\n\nfunc f(a, b int) int {\n\tfor i := 0; i < a; i++ {\n\t\tif a == b && b >= -1 {\n\t\t\tbreak\n\t\t}\n\t}\n\treturn a + b%2\n}\n"
	tests := []struct {
		line, col int
		mutator   string
		wantLine  string // the mutated line, trimmed
	}{
		{4, 16, "CONDITIONALS_BOUNDARY", "for i := 0; i <= a; i++ {"},
		{4, 16, "CONDITIONALS_NEGATION", "for i := 0; i >= a; i++ {"},
		{4, 22, "INCREMENT_DECREMENT", "for i := 0; i < a; i-- {"},
		{5, 8, "CONDITIONALS_NEGATION", "if a != b && b >= -1 {"},
		{5, 13, "INVERT_LOGICAL", "if (a == b || b >= -1) {"},
		{5, 18, "CONDITIONALS_BOUNDARY", "if a == b && b > -1 {"},
		{5, 21, "INVERT_NEGATIVES", "if a == b && b >= +1 {"},
		{6, 4, "INVERT_LOOPCTRL", "continue"},
		{9, 11, "ARITHMETIC_BASE", "return a - b%2"},
		{9, 14, "ARITHMETIC_BASE", "return a + b*2"},
	}
	for _, tt := range tests {
		k := mutantKey{File: "p.go", Line: tt.line, Column: tt.col, Mutator: tt.mutator}
		got, err := applyMutant([]byte(src), k)
		if err != nil {
			t.Errorf("%s: %v", k, err)
			continue
		}
		lines := strings.Split(string(got), "\n")
		if l := strings.TrimSpace(lines[tt.line-1]); l != tt.wantLine {
			t.Errorf("%s: line %d = %q, want %q", k, tt.line, l, tt.wantLine)
		}
		lines[tt.line-1] = strings.Split(src, "\n")[tt.line-1]
		if strings.Join(lines, "\n") != src {
			t.Errorf("%s changed more than its line", k)
		}
	}
}

// TestApplyMutantKeepsTheTreesGrouping: gremlins turns the first && of a
// && b && c into || within its own operands, (a || b) && c.
func TestApplyMutantKeepsTheTreesGrouping(t *testing.T) {
	t.Parallel()
	src := "package p\n\nvar v = a && b && c || d\n"
	for col, want := range map[int]string{
		11: "var v = (a || b) && c || d", // the tree is ((a && b) && c) || d
		16: "var v = (a && b || c) || d",
		21: "var v = (a && b && c && d)",
	} {
		k := mutantKey{File: "p.go", Line: 3, Column: col, Mutator: "INVERT_LOGICAL"}
		got, err := applyMutant([]byte(src), k)
		if err != nil {
			t.Errorf("%s: %v", k, err)
			continue
		}
		if line := strings.Split(string(got), "\n")[2]; line != want {
			t.Errorf("%s: %q, want %q", k, line, want)
		}
	}
}

func TestApplyMutantRefusesAPositionThatMoved(t *testing.T) {
	t.Parallel()
	src := []byte("package p\n\nvar x = 1 + 2 // a < b\n")
	for _, k := range []mutantKey{
		{File: "p.go", Line: 3, Column: 11, Mutator: "CONDITIONALS_BOUNDARY"}, // + is no comparison
		{File: "p.go", Line: 3, Column: 12, Mutator: "ARITHMETIC_BASE"},       // between tokens
		{File: "p.go", Line: 3, Column: 20, Mutator: "CONDITIONALS_BOUNDARY"}, // inside a comment
		{File: "p.go", Line: 9, Column: 1, Mutator: "ARITHMETIC_BASE"},        // past the end
		{File: "p.go", Line: 3, Column: 11, Mutator: "REMOVE_SELF_ASSIGNMENTS"},
	} {
		if got, err := applyMutant(src, k); err == nil {
			t.Errorf("%s applied: %q", k, got)
		}
	}
}

func TestJudgeReadsGoTestOutcome(t *testing.T) {
	t.Parallel()
	exit := errors.New("exit status 1")
	tests := []struct {
		name   string
		err    error
		out    string
		status string
		detail string
	}{
		{"passed", nil, "ok  \tp\t0.01s\n", "LIVED", ""},
		{"failed", exit, "--- FAIL: TestX (0.00s)\n    x_test.go:9: bad\n--- FAIL: TestY (0.00s)\nFAIL\n", "KILLED", "TestX fails"},
		{"subtest", exit, "--- FAIL: TestX (0.00s)\n    --- FAIL: TestX/a (0.00s)\n", "KILLED", "TestX fails"},
		{"hangs", exit, "panic: test timed out after 2m0s\n", "KILLED", "hangs past go test -timeout"},
		{"panics", exit, "panic: runtime error: index out of range\n", "KILLED", "the package's tests fail (panic: runtime error: index out of range)"},
		{"build", exit, "# p\n./p.go:3:9: invalid operation\nFAIL\tp [build failed]\n", "NOT VIABLE", "# p"},
	}
	for _, tt := range tests {
		v := judge(tt.err, []byte(tt.out))
		if v.Status != tt.status || v.Detail != tt.detail {
			t.Errorf("%s: judge = %+v, want %s %q", tt.name, v, tt.status, tt.detail)
		}
	}
}

// TestRecheckRunsTheMutantsTests builds a workspace of one module and
// tests three mutants of it again: one its test kills, one it cannot see,
// and one that loops forever.
func TestRecheckRunsTheMutantsTests(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.work", "go 1.23\n\nuse ./m\n")
	write("m/go.mod", "module github.com/normkit/norm/m\n\ngo 1.23\n")
	src := "package p\n\nfunc Sum(n int) int {\n\ts := 0\n\tfor i := 1; i <= n; i++ {\n\t\ts += i\n\t}\n\treturn s\n}\n\nfunc Unused(a int) bool { return a > 0 }\n"
	write("m/p/p.go", src)
	write("m/p/p_test.go", "package p\n\nimport \"testing\"\n\nfunc TestSum(t *testing.T) {\n\tif Sum(3) != 6 {\n\t\tt.Fatal(Sum(3))\n\t}\n}\n")
	tree, err := modset.Load(root)
	if err != nil {
		t.Fatal(err)
	}
	// The timeout is derived from the unmutated run, a few seconds here.
	r := rechecker{tree: tree, floor: 3 * time.Second, tmp: t.TempDir(), derived: map[string]time.Duration{}}
	for _, tt := range []struct {
		k      mutantKey
		status string
		detail string
	}{
		{mutantKey{File: "m/p/p.go", Line: 5, Column: 16, Mutator: "CONDITIONALS_BOUNDARY"}, "KILLED", "TestSum fails"},
		{mutantKey{File: "m/p/p.go", Line: 11, Column: 36, Mutator: "CONDITIONALS_BOUNDARY"}, "LIVED", ""},
		{mutantKey{File: "m/p/p.go", Line: 5, Column: 23, Mutator: "INCREMENT_DECREMENT"}, "KILLED", "hangs past go test -timeout"},
	} {
		v, err := r.run(context.Background(), tt.k)
		if err != nil {
			t.Fatalf("%s: %v", tt.k, err)
		}
		if v.Status != tt.status || v.Detail != tt.detail {
			t.Errorf("%s: %+v, want %s %q", tt.k, v, tt.status, tt.detail)
		}
	}
	if b, err := os.ReadFile(filepath.Join(root, "m/p/p.go")); err != nil || string(b) != src {
		t.Errorf("the source changed on disk: %q, %v", b, err)
	}
}

func TestRetestable(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		status            string
		lived, equivalent bool
		want              bool
	}{
		{"TIMED OUT", false, false, true}, {"NOT COVERED", false, false, true}, {"LIVED", false, false, false},
		{"LIVED", true, false, true}, {"KILLED", true, false, false}, {"NOT VIABLE", true, false, false},
		{"KILLED", false, true, true}, {"NOT VIABLE", true, true, false},
	} {
		if got := retestable(tt.status, tt.lived, tt.equivalent); got != tt.want {
			t.Errorf("retestable(%q, lived %v, equivalent %v) = %v, want %v", tt.status, tt.lived, tt.equivalent, got, tt.want)
		}
	}
}

func TestRechecksAreKeptAndScored(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "pool.recheck.json")
	ms := []mutant{
		{Key: mutantKey{File: "pool/a.go", Line: 1, Column: 1, Mutator: "INCREMENT_DECREMENT"}, Status: "TIMED OUT"},
		{Key: mutantKey{File: "pool/a.go", Line: 2, Column: 1, Mutator: "CONDITIONALS_NEGATION"}, Status: "NOT COVERED"},
		{Key: mutantKey{File: "pool/a.go", Line: 3, Column: 1, Mutator: "CONDITIONALS_NEGATION"}, Status: "KILLED"},
		// Reported killed by a busy gremlins run, but listed equivalent:
		// tested again, it lives, and the entry stands.
		{Key: mutantKey{File: "pool/a.go", Line: 4, Column: 1, Mutator: "CONDITIONALS_BOUNDARY"}, Status: "KILLED"},
	}
	ignore := []ignoreEntry{{Key: ms[3].Key, Kind: "equivalent", Reason: "r", Line: 1}}
	equivalent := map[string]bool{ms[3].Key.String(): true}
	verdicts := `{"pool/a.go:1:1 INCREMENT_DECREMENT": {"status": "KILLED", "detail": "hangs past go test -timeout"},
		"pool/a.go:2:1 CONDITIONALS_NEGATION": {"status": "LIVED"},
		"pool/a.go:4:1 CONDITIONALS_BOUNDARY": {"status": "LIVED"}}`
	if err := os.WriteFile(path, []byte(verdicts), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := loadRechecks(ms, path, equivalent); err != nil {
		t.Fatal(err)
	}
	rep := score([]string{"pool/a.go"}, nil, ms, ignore)
	row := rep.Rows[0]
	if row.Killed != 2 || row.Rechecked != 1 || row.Lived != 1 || row.TimedOut != 0 || row.NotCovered != 0 || row.Ignored != 1 {
		t.Errorf("row = %+v, want 2 killed (1 rechecked), 1 lived, 1 equivalent", row)
	}
	if len(rep.Killed) != 0 {
		t.Errorf("equivalent entries reported killed: %+v", rep.Killed)
	}
	if len(rep.Survivors) != 1 || rep.Survivors[0].Recheck != "NOT COVERED" {
		t.Errorf("survivors = %+v, want the not covered mutant, rechecked", rep.Survivors)
	}
}
