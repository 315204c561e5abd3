package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/normkit/norm/tools/internal/modset"
)

// runGoMin proves each published module's go directive: the module is
// vetted, built and unit-tested by the Go toolchain of exactly that
// version (GOTOOLCHAIN=go1.N.P, fetched through the module proxy like any
// module), in a workspace of its own holding the module and the siblings
// it requires, written with that go version. A newer standard-library API,
// language feature or dependency that needs a newer Go fails it.
func runGoMin(e *env) error {
	if probs := e.tree.Problems(); len(probs) > 0 {
		return fmt.Errorf("the tree cannot be published as it is:\n\t%s", strings.Join(probs, "\n\t"))
	}
	tmp, err := os.MkdirTemp("", "norm-gomin-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	for _, m := range e.tree.Published() {
		toolchain := toolchainFor(m.Go())
		start := time.Now()
		work := filepath.Join(tmp, strings.ReplaceAll(m.Dir, "/", "_"), "go.work")
		if err := os.MkdirAll(filepath.Dir(work), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(work, []byte(workspaceFor(e.tree, m)), 0o644); err != nil {
			return err
		}
		// Unit tests only: a module's tests that need a server are in e2e,
		// and pgtest's own tests skip what this machine cannot start.
		vars := []string{"GOWORK=" + work, "GOTOOLCHAIN=" + toolchain, "GOFLAGS=", "GOPROXY=" + goProxyOf(e)}
		if out, err := e.run(m.AbsDir, vars, "go", "version"); err != nil || !strings.Contains(out, toolchain+" ") {
			return fmt.Errorf("%s: toolchain %s did not run: %w %s", m.Dir, toolchain, err, out)
		}
		for _, args := range [][]string{{"vet", "./..."}, {"test", "-count=1", "./..."}} {
			if _, err := e.run(m.AbsDir, vars, "go", args...); err != nil {
				return fmt.Errorf("%s does not work with %s, the Go its go.mod names: %w", m.Dir, toolchain, err)
			}
		}
		fmt.Printf("go-min: %-14s go %-7s vet, build, unit tests with %s ok (%s)\n", m.Dir, m.Go(), toolchain, time.Since(start).Round(time.Second))
	}
	return nil
}

// toolchainFor names the release a go directive stands for: "1.23" and
// "1.23.0" are go1.23.0, "1.25.3" is go1.25.3.
func toolchainFor(goVersion string) string {
	if strings.Count(goVersion, ".") == 1 {
		goVersion += ".0"
	}
	return "go" + goVersion
}

// workspaceFor is a go.work holding m and every sibling it needs, directly
// or through another sibling, at the go version of m (which tidy keeps at
// or above every requirement's).
func workspaceFor(t *modset.Tree, m *modset.Module) string {
	seen := map[*modset.Module]bool{}
	var walk func(*modset.Module)
	walk = func(x *modset.Module) {
		if seen[x] {
			return
		}
		seen[x] = true
		for _, s := range t.Requires(x) {
			walk(s)
		}
	}
	walk(m)
	var b strings.Builder
	fmt.Fprintf(&b, "go %s\n\nuse (\n", m.Go())
	var reps strings.Builder
	for _, x := range t.Modules {
		if !seen[x] {
			continue
		}
		fmt.Fprintf(&b, "\t%s\n", x.AbsDir)
		if x.Version != "" {
			fmt.Fprintf(&reps, "\t%s %s => %s\n", x.Path, x.Version, x.AbsDir)
		}
	}
	b.WriteString(")\n")
	if reps.Len() > 0 {
		fmt.Fprintf(&b, "\nreplace (\n%s)\n", reps.String())
	}
	return b.String()
}

// goProxyOf is the GOPROXY of the environment minus nothing: the older
// toolchain is a module like any other.
func goProxyOf(e *env) string {
	for _, v := range e.vars {
		if strings.HasPrefix(v, "GOPROXY=") {
			return strings.TrimPrefix(v, "GOPROXY=")
		}
	}
	return ""
}
