package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/normkit/norm/tools/internal/modset"
)

// A timed-out mutant is no evidence of a kill: gremlins stops a mutant's
// test run after a multiple of the coverage run, compile time included,
// so on a busy machine a live mutant can time out. And gremlins never
// runs a mutant in a case clause's expression (its coverage profile has
// no block there) and reports it not covered. mutate therefore tests
// every timed-out and not-covered mutant again itself: it applies the
// mutant to the file through go's -overlay (the tree is not touched) and
// runs the package's tests with go test's own -timeout, which counts the
// test binary's run only, not the compile, and is set from the
// unmutated tests' own run time. A run that fails, or hangs
// past the timeout, kills the mutant; one that passes leaves it lived.

// mutations is what gremlins v0.6.0 turns each token into, for the
// mutators make mutate enables (see gremlins' internal/engine/mappings.go).
var mutations = map[string]map[token.Token]token.Token{
	"ARITHMETIC_BASE":       {token.ADD: token.SUB, token.SUB: token.ADD, token.MUL: token.QUO, token.QUO: token.MUL, token.REM: token.MUL},
	"CONDITIONALS_BOUNDARY": {token.LSS: token.LEQ, token.LEQ: token.LSS, token.GTR: token.GEQ, token.GEQ: token.GTR},
	"CONDITIONALS_NEGATION": {token.EQL: token.NEQ, token.NEQ: token.EQL, token.LSS: token.GEQ, token.GEQ: token.LSS,
		token.GTR: token.LEQ, token.LEQ: token.GTR},
	"INCREMENT_DECREMENT": {token.INC: token.DEC, token.DEC: token.INC},
	"INVERT_LOGICAL":      {token.LAND: token.LOR, token.LOR: token.LAND},
	"INVERT_LOOPCTRL":     {token.BREAK: token.CONTINUE, token.CONTINUE: token.BREAK},
	"INVERT_NEGATIVES":    {token.SUB: token.ADD},
}

// applyMutant returns src with the mutant k applied: the token at k's
// line and column replaced as k's mutator replaces it. It fails when no
// token there is one the mutator changes (the code moved).
func applyMutant(src []byte, k mutantKey) ([]byte, error) {
	table, ok := mutations[k.Mutator]
	if !ok {
		return nil, fmt.Errorf("%s: unknown mutator", k)
	}
	fset := token.NewFileSet()
	file := fset.AddFile(k.File, -1, len(src))
	var s scanner.Scanner
	var scanErr error
	s.Init(file, src, func(_ token.Position, msg string) { scanErr = errors.New(msg) }, 0)
	for {
		pos, tok, _ := s.Scan()
		if tok == token.EOF || scanErr != nil {
			break
		}
		p := file.Position(pos)
		if p.Line < k.Line || p.Line == k.Line && p.Column < k.Column {
			continue
		}
		if p.Line != k.Line || p.Column != k.Column {
			break
		}
		to, ok := table[tok]
		if !ok {
			return nil, fmt.Errorf("%s: %q there is not a token the mutator changes (the code moved?)", k, tok)
		}
		off, n := file.Offset(pos), len(tok.String())
		start, end := off, off+n // what the mutated expression spans
		paren := k.Mutator == "INVERT_LOGICAL"
		if paren {
			var err error
			if start, end, err = binaryExprAt(src, off); err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
		}
		var out bytes.Buffer
		out.Write(src[:start])
		if paren {
			out.WriteByte('(')
		}
		out.Write(src[start:off])
		out.WriteString(to.String())
		out.Write(src[off+n : end])
		if paren {
			out.WriteByte(')')
		}
		out.Write(src[end:])
		return out.Bytes(), nil
	}
	if scanErr != nil {
		return nil, fmt.Errorf("%s: %w", k, scanErr)
	}
	return nil, fmt.Errorf("%s: no token at that position (the code moved?)", k)
}

// binaryExprAt returns the byte span of the binary expression of src
// whose operator is at offset off. gremlins mutates the syntax tree, so
// && turned into || keeps its operands: in a && b && c, the first && is
// (a && b) && c and its mutant (a || b) && c, while the text a || b && c
// would read a || (b && c). Parenthesising the mutated expression keeps
// the tree's grouping.
func binaryExprAt(src []byte, off int) (start, end int, err error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, parser.SkipObjectResolution)
	if err != nil {
		return 0, 0, err
	}
	found := false
	ast.Inspect(f, func(n ast.Node) bool {
		if b, ok := n.(*ast.BinaryExpr); ok && !found && fset.Position(b.OpPos).Offset == off {
			start, end, found = fset.Position(b.Pos()).Offset, fset.Position(b.End()).Offset, true
		}
		return !found
	})
	if !found {
		return 0, 0, errors.New("no binary expression has its operator there")
	}
	return start, end, nil
}

// verdict is the outcome of testing one mutant again.
type verdict struct {
	Status string `json:"status"` // KILLED, LIVED or NOT VIABLE
	Detail string `json:"detail"` // the first failing test, "hangs", or the build error's first line
}

var failingTest = regexp.MustCompile(`(?m)^\s*--- FAIL: (\S+)`)

// judge reads go test's outcome: the exit error (nil when it passed) and
// its output.
func judge(runErr error, out []byte) verdict {
	if runErr == nil {
		return verdict{Status: "LIVED"}
	}
	switch {
	case bytes.Contains(out, []byte("[build failed]")) || bytes.Contains(out, []byte("[setup failed]")):
		first, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
		return verdict{Status: "NOT VIABLE", Detail: first}
	case bytes.Contains(out, []byte("panic: test timed out")):
		return verdict{Status: "KILLED", Detail: "hangs past go test -timeout"}
	}
	if m := failingTest.FindSubmatch(out); m != nil {
		return verdict{Status: "KILLED", Detail: string(m[1]) + " fails"}
	}
	return verdict{Status: "KILLED", Detail: "the package's tests fail (" + strings.TrimSpace(firstLine(out)) + ")"}
}

func firstLine(b []byte) string {
	l, _, _ := bytes.Cut(b, []byte("\n"))
	return string(l)
}

// rechecker tests mutants again, one at a time, with go test.
type rechecker struct {
	tree *modset.Tree
	// timeout is go test's -timeout; 0 derives it from each package's
	// own test run (packageTimeout).
	timeout time.Duration
	// floor is the least a derived timeout adds to the unmutated run
	// (a loaded machine stretches a run).
	floor   time.Duration
	tmp     string                   // scratch directory for the mutated file and the overlay
	derived map[string]time.Duration // package directory → derived timeout
}

// env is the go command's environment: the tree's own workspace, whatever
// GOWORK the caller has (make go-min runs the tools' tests with another).
func (r rechecker) env() []string {
	return append(os.Environ(), "GOWORK="+filepath.Join(r.tree.Root, "go.work"))
}

// packageTimeout returns the -timeout for the tests of package directory
// rel of module m: the fixed one, or 20 times (at least floor more than)
// the unmutated tests' run, measured once after a build that fills the
// cache. Most mutants that time out loop forever; a limit near the real
// run time finds them in seconds rather than minutes.
func (r rechecker) packageTimeout(ctx context.Context, m *modset.Module, rel string) (time.Duration, error) {
	if r.timeout > 0 {
		return r.timeout, nil
	}
	if d, ok := r.derived[m.AbsDir+"|"+rel]; ok {
		return d, nil
	}
	run := func(args ...string) error {
		cmd := exec.CommandContext(ctx, "go", append([]string{"test", "-count=1"}, append(args, rel)...)...)
		cmd.Dir, cmd.Env = m.AbsDir, r.env()
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("the unmutated tests of %s fail: %w\n%s", rel, err, out)
		}
		return nil
	}
	if err := run("-run", "^$"); err != nil {
		return 0, err
	}
	start := time.Now()
	if err := run(); err != nil {
		return 0, err
	}
	d := max(20*time.Since(start), time.Since(start)+r.floor).Round(time.Second)
	r.derived[m.AbsDir+"|"+rel] = d
	return d, nil
}

// run applies k (a file relative to the repository root) through an
// overlay and runs the tests of k's package in its module, with the
// workspace as a developer's build sees it.
func (r rechecker) run(ctx context.Context, k mutantKey) (verdict, error) {
	dir := filepath.Dir(filepath.FromSlash(k.File))
	m := moduleOf(r.tree, filepath.ToSlash(dir))
	if m == nil {
		return verdict{}, fmt.Errorf("%s: no module of go.work holds it", k)
	}
	absFile := filepath.Join(r.tree.Root, filepath.FromSlash(k.File))
	src, err := os.ReadFile(absFile)
	if err != nil {
		return verdict{}, err
	}
	mutated, err := applyMutant(src, k)
	if err != nil {
		return verdict{}, err
	}
	mutPath := filepath.Join(r.tmp, filepath.Base(absFile))
	if err := os.WriteFile(mutPath, mutated, 0o644); err != nil {
		return verdict{}, err
	}
	overlay, err := json.Marshal(map[string]map[string]string{"Replace": {absFile: mutPath}})
	if err != nil {
		return verdict{}, err
	}
	ovlPath := filepath.Join(r.tmp, "overlay.json")
	if err := os.WriteFile(ovlPath, overlay, 0o644); err != nil {
		return verdict{}, err
	}
	rel, err := filepath.Rel(m.AbsDir, filepath.Join(r.tree.Root, dir))
	if err != nil {
		return verdict{}, err
	}
	pkg := "./" + filepath.ToSlash(rel)
	timeout, err := r.packageTimeout(ctx, m, pkg)
	if err != nil {
		return verdict{}, err
	}
	cmd := exec.CommandContext(ctx, "go", "test", "-count=1", "-timeout", timeout.String(), "-overlay", ovlPath, pkg)
	cmd.Dir, cmd.Env = m.AbsDir, r.env()
	out, runErr := cmd.CombinedOutput()
	if ctx.Err() != nil {
		return verdict{}, ctx.Err()
	}
	var exit *exec.ExitError
	if runErr != nil && !errors.As(runErr, &exit) {
		return verdict{}, fmt.Errorf("%s: go test: %w", k, runErr)
	}
	return judge(runErr, out), nil
}

// recheckFile is where the verdicts of a directory's run are kept, beside
// gremlins' JSON output, so -report shows them without running anything.
func recheckFile(jsonPath string) string {
	return strings.TrimSuffix(jsonPath, ".json") + ".recheck.json"
}

// retestable reports whether a mutant of gremlins' status is tested again:
// timed out or not covered; with lived too (after tests were added,
// -recheck tests the survivors of the last run without running gremlins
// again); and killed when the ignore list calls it equivalent, since on a
// busy machine gremlins v0.6.0 reports as killed a test binary that hit
// its own -timeout, and such a report would make the entry look wrong.
func retestable(status string, lived, equivalent bool) bool {
	switch status {
	case "TIMED OUT", "NOT COVERED":
		return true
	case "LIVED":
		return lived
	case "KILLED":
		return equivalent
	}
	return false
}

// recheckAll tests again the mutants of ms that are retestable, writes
// the verdicts to path and applies them to ms. equivalent holds the keys
// (mutantKey.String) the ignore list calls equivalent.
func recheckAll(ctx context.Context, r rechecker, ms []mutant, path string, lived bool, equivalent map[string]bool) error {
	verdicts := map[string]verdict{}
	for i, m := range ms {
		if !retestable(m.Status, lived, equivalent[m.Key.String()]) {
			continue
		}
		v, err := r.run(ctx, m.Key)
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "   recheck %s (%s): %s %s\n", m.Key, m.Status, v.Status, v.Detail)
		verdicts[m.Key.String()] = v
		ms[i] = m.rechecked(v)
	}
	b, err := json.MarshalIndent(verdicts, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// loadRechecks applies the verdicts kept at path, if any, to ms.
func loadRechecks(ms []mutant, path string, equivalent map[string]bool) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	verdicts := map[string]verdict{}
	if err := json.Unmarshal(b, &verdicts); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	for i, m := range ms {
		if v, ok := verdicts[m.Key.String()]; ok && retestable(m.Status, true, equivalent[m.Key.String()]) {
			ms[i] = m.rechecked(v)
		}
	}
	return nil
}

// rechecked is m with the verdict of testing it again.
func (m mutant) rechecked(v verdict) mutant {
	m.Recheck = m.Status
	m.Status = v.Status
	m.Detail = v.Detail
	return m
}
