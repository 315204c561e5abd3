package main

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/normkit/norm/tools/internal/modset"
	"golang.org/x/mod/modfile"
)

//go:embed testdata/consumers
var programs embed.FS

// consumerGo is the go line a fresh consumer module starts with: older
// than any norm module needs, so the line after go get is the one the
// module forces.
const consumerGo = "1.21"

// forbidden lists, per module directory, module path prefixes that must
// not appear in the module graph of a consumer that requires that module
// alone. Beyond these, a consumer's graph holds no norm module that the
// module does not require.
var forbidden = map[string][]string{
	"sqlb":    {"github.com/jackc/pgx"},
	"observe": {"github.com/prometheus/", "go.opentelemetry.io/"},
	"repo":    {"github.com/redis/"},
}

// runConsumer is make consumer-check: see the package comment. Every
// failure is collected; the check fails at the end if there was any.
func runConsumer(e *env, keep bool) error {
	start := time.Now()
	tmp, err := os.MkdirTemp("", "norm-consumer-")
	if err != nil {
		return err
	}
	if keep {
		fmt.Printf("consumer modules in %s\n", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	c := &consumers{env: e, tmp: tmp}
	for _, p := range e.tree.Problems() {
		c.failf("%s", p)
	}
	docGo, err := documentedGo(e.tree)
	if err != nil {
		return err
	}
	for _, m := range e.tree.Published() {
		if m.Dir == "tools" {
			continue // commands: checked through go install below
		}
		if m.Internal() {
			continue // no consumer can import it: checked through the modules that require it
		}
		c.library(m, docGo)
	}
	c.normctl()
	c.docs()
	if len(c.failures) > 0 {
		return fmt.Errorf("consumer check failed (%d):\n%s", len(c.failures), strings.Join(c.failures, "\n"))
	}
	fmt.Printf("consumer-check: ok: %d modules, normctl and %d doc commands (%s)\n",
		len(e.tree.Published())-1, c.docCommands, time.Since(start).Round(time.Second))
	return nil
}

type consumers struct {
	env         *env
	tmp         string
	n           int
	failures    []string
	docCommands int
}

func (c *consumers) failf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	fmt.Println("FAIL " + strings.ReplaceAll(msg, "\n", "\n     "))
	c.failures = append(c.failures, "\t"+strings.ReplaceAll(msg, "\n", "\n\t"))
}

// fresh makes an empty consumer module outside the tree.
func (c *consumers) fresh(name string) (string, error) {
	c.n++
	dir := filepath.Join(c.tmp, fmt.Sprintf("%02d-%s", c.n, strings.ReplaceAll(name, "/", "_")))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	gomod := fmt.Sprintf("module example.com/consumer\n\ngo %s\n", consumerGo)
	return dir, os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644)
}

// library gets m alone into a fresh consumer, runs its program, and checks
// the Go version it forces and its module graph.
func (c *consumers) library(m *modset.Module, docGo map[string]docVersions) {
	start := time.Now()
	dir, err := c.fresh(m.Dir)
	if err != nil {
		c.failf("%s: %v", m.Dir, err)
		return
	}
	if _, err := c.env.run(dir, nil, "go", "get", m.Path+"@"+m.Version); err != nil {
		c.failf("%s: go get: %v", m.Dir, err)
		return
	}
	// The Go version the module forces on its consumer.
	forced, err := goLine(filepath.Join(dir, "go.mod"))
	if err != nil {
		c.failf("%s: %v", m.Dir, err)
	}
	d := docGo[m.Dir]
	for _, want := range []struct{ what, v string }{{"its go.mod", minor(m.Go())}, {"doc.go", d.docGo}, {"README.md", d.readme}} {
		if want.v == "" {
			c.failf("%s: %s states no Go minimum", m.Dir, want.what)
		} else if minor(forced) != want.v {
			c.failf("%s: go get raises a consumer's go line to %s, but %s says Go %s", m.Dir, forced, want.what, want.v)
		}
	}
	// A program using it builds and runs.
	prog := strings.ReplaceAll(m.Dir, "/", "_")
	src, err := programs.ReadFile("testdata/consumers/" + prog + "/main.go")
	if err != nil {
		c.failf("%s: no consumer program in testdata/consumers/%s", m.Dir, prog)
		return
	}
	want, _ := programs.ReadFile("testdata/consumers/" + prog + "/want.txt")
	if err := os.WriteFile(filepath.Join(dir, "main.go"), src, 0o644); err != nil {
		c.failf("%s: %v", m.Dir, err)
		return
	}
	out, err := c.env.run(dir, nil, "go", "run", ".")
	if err != nil {
		c.failf("%s: the consumer program: %v", m.Dir, err)
		return
	}
	if got := lastLine(out); got != strings.TrimSpace(string(want)) {
		c.failf("%s: the consumer program printed %q, want %q", m.Dir, got, strings.TrimSpace(string(want)))
	}
	// Its module graph.
	graph, err := c.env.run(dir, nil, "go", "list", "-m", "all")
	if err != nil {
		c.failf("%s: %v", m.Dir, err)
		return
	}
	for _, bad := range graphProblems(m, c.env.tree, strings.Fields(graph)) {
		c.failf("%s: %s", m.Dir, bad)
	}
	fmt.Printf("consumer: %-13s go get %s@%s: forces go %s, program ok, %d modules in graph (%s)\n",
		m.Dir, m.Path, m.Version, forced, len(strings.Split(strings.TrimSpace(graph), "\n")), time.Since(start).Round(time.Second))
}

// graphProblems checks the module paths of a consumer's `go list -m all`
// that requires m alone.
func graphProblems(m *modset.Module, t *modset.Tree, fields []string) []string {
	allowed := map[string]bool{m.Path: true}
	var walk func(*modset.Module)
	walk = func(x *modset.Module) {
		for _, s := range t.Requires(x) {
			if !allowed[s.Path] {
				allowed[s.Path] = true
				walk(s)
			}
		}
	}
	walk(m)
	var out []string
	for _, f := range fields {
		if strings.HasPrefix(f, modset.Prefix) && !allowed[f] && f != "example.com/consumer" {
			out = append(out, fmt.Sprintf("pulls %s, which it does not require", f))
		}
		for _, p := range forbidden[m.Dir] {
			if strings.HasPrefix(f, p) {
				out = append(out, fmt.Sprintf("pulls %s into the consumer's module graph", f))
			}
		}
	}
	return out
}

// normctl installs normctl as the README says, at the tools version.
func (c *consumers) normctl() {
	tools := c.env.tree.ByDir("tools")
	if tools == nil {
		c.failf("no tools module")
		return
	}
	start := time.Now()
	bin := filepath.Join(c.tmp, "bin")
	target := tools.Path + "/cmd/normctl@" + tools.Version
	if _, err := c.env.run(c.tmp, []string{"GOBIN=" + bin, "GOFLAGS="}, "go", "install", target); err != nil {
		c.failf("go install %s: %v", target, err)
		return
	}
	out, _ := exec.CommandContext(c.env.ctx, filepath.Join(bin, "normctl")).CombinedOutput()
	if !strings.Contains(string(out), "usage: normctl migrate") {
		c.failf("normctl without arguments printed %q, want its usage", out)
		return
	}
	fmt.Printf("consumer: go install %s: ok (%s)\n", target, time.Since(start).Round(time.Second))
}

// docs runs every go get and go install line of README.md and docs/, each
// in a fresh consumer module.
func (c *consumers) docs() {
	cmds := map[string][]string{} // command -> files
	files := []string{filepath.Join(c.env.tree.Root, "README.md")}
	_ = filepath.WalkDir(filepath.Join(c.env.tree.Root, "docs"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".md") {
			files = append(files, p)
		}
		return nil
	})
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			c.failf("%v", err)
			continue
		}
		rel, _ := filepath.Rel(c.env.tree.Root, f)
		for _, cmd := range commandLines(string(data)) {
			cmds[cmd] = append(cmds[cmd], rel)
		}
	}
	keys := make([]string, 0, len(cmds))
	for k := range cmds {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, cmd := range keys {
		c.docCommands++
		where := strings.Join(cmds[cmd], ", ")
		args := strings.Fields(cmd)[1:]
		dir, err := c.fresh("doc")
		if err != nil {
			c.failf("%v", err)
			continue
		}
		extra := []string{"GOBIN=" + filepath.Join(dir, "bin")}
		if args[0] == "install" {
			extra = append(extra, "GOFLAGS=")
		}
		if _, err := c.env.run(dir, extra, "go", args...); err != nil {
			c.failf("%s (from %s): %v", cmd, where, err)
			continue
		}
		fmt.Printf("consumer: doc command ok: %s\n", cmd)
	}
}

var (
	fence      = regexp.MustCompile("^\\s*(```|~~~)")
	inlineCode = regexp.MustCompile("`(go (?:get|install) [^`]+)`")
	docGoLine  = regexp.MustCompile(`needs Go (1\.\d+) or later`)
	readmeGo   = regexp.MustCompile(`^\d+\.\d+$`)
	readmeGet  = regexp.MustCompile("`go get (" + regexp.QuoteMeta(modset.Prefix) + `[^ ` + "`" + `@]+)`)
)

// commandLines returns the go get and go install commands of a Markdown
// text: lines of fenced code blocks (continuation lines joined, comments
// and a "$ " prompt dropped) and inline code spans.
func commandLines(md string) []string {
	var out []string
	inFence := false
	pending := ""
	for _, line := range strings.Split(md, "\n") {
		if fence.MatchString(line) {
			inFence = !inFence
			pending = ""
			continue
		}
		if !inFence {
			for _, m := range inlineCode.FindAllStringSubmatch(line, -1) {
				out = append(out, strings.Join(strings.Fields(m[1]), " "))
			}
			continue
		}
		if i := strings.Index(line, " #"); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if strings.HasSuffix(line, "\\") {
			pending += strings.TrimSuffix(line, "\\") + " "
			continue
		}
		line = strings.TrimPrefix(strings.TrimSpace(pending+line), "$ ")
		pending = ""
		if strings.HasPrefix(line, "go get ") || strings.HasPrefix(line, "go install ") {
			out = append(out, strings.Join(strings.Fields(line), " "))
		}
	}
	return out
}

// docVersions is the Go minimum a module's doc.go and the README state.
type docVersions struct{ docGo, readme string }

// documentedGo reads the Go minimum of each published module from its
// doc.go ("needs Go 1.25 or later") and from the README's install table
// (a row holding `go get <module>` and a cell "1.25").
func documentedGo(t *modset.Tree) (map[string]docVersions, error) {
	out := map[string]docVersions{}
	for _, m := range t.Published() {
		data, err := os.ReadFile(filepath.Join(m.AbsDir, "doc.go"))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		if mm := docGoLine.FindStringSubmatch(strings.ReplaceAll(string(data), "\n// ", " ")); mm != nil {
			out[m.Dir] = docVersions{docGo: mm[1]}
		}
	}
	readme, err := os.ReadFile(filepath.Join(t.Root, "README.md"))
	if err != nil {
		return nil, err
	}
	for _, line := range strings.Split(string(readme), "\n") {
		if !strings.HasPrefix(line, "|") {
			continue
		}
		get := readmeGet.FindStringSubmatch(line)
		if get == nil {
			continue
		}
		cells := strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|")
		last := strings.TrimSpace(cells[len(cells)-1])
		m := t.ByPath(get[1])
		if m == nil || !readmeGo.MatchString(last) {
			continue
		}
		d := out[m.Dir]
		d.readme = last
		out[m.Dir] = d
	}
	return out, nil
}

// minor cuts a Go version to major.minor: "1.25.0" -> "1.25".
func minor(v string) string {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return v
	}
	return parts[0] + "." + parts[1]
}

func goLine(gomod string) (string, error) {
	data, err := os.ReadFile(gomod)
	if err != nil {
		return "", err
	}
	f, err := modfile.ParseLax(gomod, data, nil)
	if err != nil {
		return "", err
	}
	if f.Go == nil {
		return "", fmt.Errorf("%s has no go line", gomod)
	}
	return f.Go.Version, nil
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
