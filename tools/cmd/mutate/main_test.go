package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestReadFilesSkipsCommentsAndRefusesBadPaths(t *testing.T) {
	t.Parallel()
	got, err := readFiles(strings.NewReader("# header\n\npool/breaker.go\n  sqlb/./cond.go  \n"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"pool/breaker.go", "sqlb/cond.go"}; !slices.Equal(got, want) {
		t.Errorf("readFiles = %q, want %q", got, want)
	}
	for _, bad := range []string{"/abs/x.go", "../x.go", "pool/breaker_test.go", "pool/README.md", "a.go\na.go\n", "# only a comment\n"} {
		if _, err := readFiles(strings.NewReader(bad)); err == nil {
			t.Errorf("readFiles(%q) accepted it", bad)
		}
	}
}

func TestReadIgnoreWantsPositionMutatorAndReason(t *testing.T) {
	t.Parallel()
	got, err := readIgnore(strings.NewReader("# c\n\npool/retry.go:12:9 CONDITIONALS_BOUNDARY equivalent:  n is never negative\n" +
		"pool/retry.go:14:2 INVERT_LOOPCTRL killed: loops forever\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []ignoreEntry{
		{Key: mutantKey{File: "pool/retry.go", Line: 12, Column: 9, Mutator: "CONDITIONALS_BOUNDARY"}, Kind: "equivalent", Reason: "n is never negative", Line: 3},
		{Key: mutantKey{File: "pool/retry.go", Line: 14, Column: 2, Mutator: "INVERT_LOOPCTRL"}, Kind: "killed", Reason: "loops forever", Line: 4},
	}
	if !slices.Equal(got, want) {
		t.Errorf("readIgnore = %+v, want %+v", got, want)
	}
	for _, bad := range []string{
		"pool/retry.go:12:9 CONDITIONALS_BOUNDARY equivalent:",                 // no reason
		"pool/retry.go:12:9 CONDITIONALS_BOUNDARY n is never negative",         // no kind
		"pool/retry.go:12:9 CONDITIONALS_BOUNDARY equivalent reason",           // kind without colon
		"pool/retry.go:12:9 CONDITIONALS_BOUNDARY maybe: reason",               // unknown kind
		"pool/retry.go:12 CONDITIONALS_BOUNDARY equivalent: r",                 // no column
		"pool/retry.go:x:9 CONDITIONALS_BOUNDARY equivalent: r",                // not a number
		"pool/retry.go:0:9 CONDITIONALS_BOUNDARY equivalent: r",                // lines start at 1
		"pool/retry.go:12:9 CONDITIONAL_BOUNDARY equivalent: r",                // unknown mutator
		"a.go:1:1 INVERT_LOGICAL killed: r\na.go:1:1 INVERT_LOGICAL killed: r", // twice
	} {
		if _, err := readIgnore(strings.NewReader(bad)); err == nil {
			t.Errorf("readIgnore(%q) accepted it", bad)
		}
	}
	// Each bad line differs from a good one by one thing only.
	if _, err := readIgnore(strings.NewReader("pool/retry.go:12:9 CONDITIONALS_BOUNDARY equivalent: r\na.go:1:1 INVERT_LOGICAL killed: r\n")); err != nil {
		t.Errorf("the good forms of the bad lines: %v", err)
	}
}

const sampleOutput = `{"go_module":"github.com/normkit/norm/pool","files":[
{"file_name":"breaker.go","mutations":[
 {"type":"CONDITIONALS_BOUNDARY","status":"KILLED","line":10,"column":5},
 {"type":"CONDITIONALS_NEGATION","status":"LIVED","line":10,"column":5},
 {"type":"ARITHMETIC_BASE","status":"LIVED","line":20,"column":7},
 {"type":"INVERT_LOGICAL","status":"TIMED OUT","line":30,"column":3},
 {"type":"INVERT_LOGICAL","status":"TIMED OUT","line":31,"column":3},
 {"type":"INVERT_NEGATIVES","status":"NOT COVERED","line":40,"column":1},
 {"type":"ARITHMETIC_BASE","status":"NOT VIABLE","line":50,"column":2},
 {"type":"INVERT_LOOPCTRL","status":"KILLED","line":60,"column":2},
 {"type":"ARITHMETIC_BASE","status":"NOT COVERED","line":70,"column":9}]},
{"file_name":"other.go","mutations":[
 {"type":"ARITHMETIC_BASE","status":"LIVED","line":1,"column":1}]}]}`

func TestScoreSubtractsIgnoredAndCountsTimeoutsAsSurvivors(t *testing.T) {
	t.Parallel()
	ms, err := parseGremlins(strings.NewReader(sampleOutput), "pool")
	if err != nil {
		t.Fatal(err)
	}
	ignore := []ignoreEntry{
		{Key: mutantKey{File: "pool/breaker.go", Line: 20, Column: 7, Mutator: "ARITHMETIC_BASE"}, Kind: "equivalent", Reason: "no test can tell", Line: 1},
		{Key: mutantKey{File: "pool/breaker.go", Line: 60, Column: 2, Mutator: "INVERT_LOOPCTRL"}, Kind: "equivalent", Reason: "wrong", Line: 2},
		{Key: mutantKey{File: "pool/breaker.go", Line: 99, Column: 1, Mutator: "INVERT_LOGICAL"}, Kind: "equivalent", Reason: "moved", Line: 3},
		{Key: mutantKey{File: "pool/breaker.go", Line: 30, Column: 3, Mutator: "INVERT_LOGICAL"}, Kind: "killed", Reason: "hangs", Line: 5},
		{Key: mutantKey{File: "pool/breaker.go", Line: 70, Column: 9, Mutator: "ARITHMETIC_BASE"}, Kind: "not-viable", Reason: "strings", Line: 6},
		{Key: mutantKey{File: "pool/breaker.go", Line: 10, Column: 5, Mutator: "CONDITIONALS_BOUNDARY"}, Kind: "killed", Reason: "timed out once", Line: 7},
		{Key: mutantKey{File: "sqlb/cond.go", Line: 1, Column: 1, Mutator: "INVERT_LOGICAL"}, Kind: "equivalent", Reason: "not in this run", Line: 4},
	}
	rep := score([]string{"pool/breaker.go"}, nil, ms, ignore)
	want := fileScore{File: "pool/breaker.go", Killed: 3, ByHand: 1, Lived: 1, TimedOut: 1, NotCovered: 1, NotViable: 2, Ignored: 1}
	if len(rep.Rows) != 1 || rep.Rows[0] != want {
		t.Fatalf("rows = %+v, want [%+v] (other.go left out)", rep.Rows, want)
	}
	if got := rep.Rows[0].Score(); got != 50 {
		t.Errorf("score = %v, want 50 (3 killed, one by hand, of 7 viable less 1 equivalent)", got)
	}
	var surv []string
	for _, m := range rep.Survivors {
		surv = append(surv, m.Key.String()+" "+m.Status)
	}
	wantSurv := []string{
		"pool/breaker.go:10:5 CONDITIONALS_NEGATION LIVED",
		"pool/breaker.go:31:3 INVERT_LOGICAL TIMED OUT",
		"pool/breaker.go:40:1 INVERT_NEGATIVES NOT COVERED",
	}
	if !slices.Equal(surv, wantSurv) {
		t.Errorf("survivors = %q, want %q", surv, wantSurv)
	}
	if len(rep.Killed) != 1 || rep.Killed[0].Line != 2 {
		t.Errorf("killed ignore entries = %+v, want the one of line 2", rep.Killed)
	}
	if len(rep.Redundant) != 1 || rep.Redundant[0].Line != 7 {
		t.Errorf("redundant ignore entries = %+v, want the one of line 7", rep.Redundant)
	}
	if len(rep.Stale) != 1 || rep.Stale[0].Line != 3 {
		t.Errorf("stale ignore entries = %+v, want only line 3 (sqlb/cond.go was not run)", rep.Stale)
	}
	var buf bytes.Buffer
	below := rep.print(&buf, 90)
	if !slices.Equal(below, []string{"pool/breaker.go"}) {
		t.Errorf("below = %q, want pool/breaker.go", below)
	}
	for _, s := range []string{"50.0%  < 90 %", "was killed, so it is not equivalent: remove", "matches no mutant"} {
		if !strings.Contains(buf.String(), s) {
			t.Errorf("table lacks %q:\n%s", s, buf.String())
		}
	}
}

func TestScoreReportsMissingFilesAndEmptyFilesAsFull(t *testing.T) {
	t.Parallel()
	rep := score([]string{"a/x.go", "a/y.go"}, map[string]bool{"a/y.go": true}, nil, nil)
	if s := rep.Rows[0].Score(); s != 100 {
		t.Errorf("score of a file without mutants = %v, want 100", s)
	}
	var buf bytes.Buffer
	if below := rep.print(&buf, 90); !slices.Equal(below, []string{"a/y.go"}) {
		t.Errorf("below = %q, want the missing a/y.go", below)
	}
	if !strings.Contains(buf.String(), "missing") {
		t.Errorf("table does not say a/y.go is missing:\n%s", buf.String())
	}
}

func TestExcludesKeepsOnlyListedFilesOfTheTree(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, f := range []string{"a.go", "b.go", "b_test.go", "doc.md", "sub/c.go", "sub/a.go"} {
		p := filepath.Join(dir, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ex, err := excludes(dir, []string{"a.go"})
	if err != nil {
		t.Fatal(err)
	}
	match := func(p string) bool {
		for _, e := range ex {
			if regexp.MustCompile(e).MatchString(p) {
				return true
			}
		}
		return false
	}
	for p, want := range map[string]bool{"a.go": false, "b.go": true, "sub/c.go": true, "sub/a.go": true} {
		if got := match(p); got != want {
			t.Errorf("%s excluded = %v, want %v (rules %q)", p, got, want, ex)
		}
	}
}

func TestKeepFilesPutsBackChangedFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sum, mod := filepath.Join(dir, "go.sum"), filepath.Join(dir, "go.mod")
	if err := os.WriteFile(sum, []byte("a h1:x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(mod, []byte("module m\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	restore, err := keepFiles(sum, mod, filepath.Join(dir, "absent"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(sum, []byte("a h1:x\nnorm h1:y\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(mod); err != nil {
		t.Fatal(err)
	}
	restore()
	for p, want := range map[string]string{sum: "a h1:x\n", mod: "module m\n"} {
		if got, err := os.ReadFile(p); err != nil || string(got) != want {
			t.Errorf("%s after restore = %q, %v; want %q", filepath.Base(p), got, err, want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "absent")); !os.IsNotExist(err) {
		t.Errorf("a file missing before was created: %v", err)
	}
}

func TestStringConcatsAreNotViable(t *testing.T) {
	t.Parallel()
	src := "package p\n\nfunc f(a, b string, n int) (string, int) {\n\treturn \"x\" + a + b, n + 1\n}\n\nvar s = (a() + \"y\")\n\nfunc a() string { return \"\" }\n"
	file := filepath.Join(t.TempDir(), "p.go")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	mk := func(line, col int, mutator, status string) mutant {
		return mutant{Key: mutantKey{File: "p.go", Line: line, Column: col, Mutator: mutator}, Status: status}
	}
	ms := []mutant{
		mk(4, 13, "ARITHMETIC_BASE", "KILLED"),      // "x" + a
		mk(4, 17, "ARITHMETIC_BASE", "KILLED"),      // ... + b: the chain holds "x"
		mk(4, 24, "ARITHMETIC_BASE", "KILLED"),      // n + 1: numbers
		mk(7, 14, "ARITHMETIC_BASE", "NOT COVERED"), // package level, in parentheses
		mk(4, 13, "CONDITIONALS_NEGATION", "KILLED"),
	}
	if err := markUnviable(ms, func(string) (map[[2]int]bool, error) { return stringConcats(file) }); err != nil {
		t.Fatal(err)
	}
	want := []string{"NOT VIABLE", "NOT VIABLE", "KILLED", "NOT VIABLE", "KILLED"}
	for i, m := range ms {
		if m.Status != want[i] {
			t.Errorf("%s: %s, want %s", m.Key, m.Status, want[i])
		}
	}
}
