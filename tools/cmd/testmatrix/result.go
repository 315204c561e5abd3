package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// counts are one package's test outcomes on one version.
type counts struct {
	pass, fail, skip int
	broken           bool // failed outside any test: build error, TestMain
}

// skipped is one skipped test and the reason it logged.
type skipped struct {
	pkg, test, reason string
}

// result is one version's run.
type result struct {
	version  int
	server   string // the server's own version string, e.g. 18.4
	wall     time.Duration
	packages map[string]*counts
	skips    []skipped
	failures []failure
}

// failure is one failed test, or a package that failed outside its tests,
// with the end of its output.
type failure struct {
	name   string // package, or package.Test
	output []string
}

// failureLines is how much of a failure's output print shows.
const failureLines = 30

func (r *result) failed() bool { return len(r.failures) > 0 }

// testEvent is one line of go test -json (see go doc test2json).
type testEvent struct {
	Action  string
	Package string
	Test    string
	Output  string
}

// parse reads go test -json from r. A skipped test's reason is the output
// it logged before its "--- SKIP" line (t.Skip's message).
func parse(version int, server string, r io.Reader, echo io.Writer) (*result, error) {
	res := &result{version: version, server: server, packages: map[string]*counts{}}
	output := map[string][]string{} // package + test → output lines so far
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var e testEvent
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return res, fmt.Errorf("go test -json printed %q: %w", sc.Text(), err)
		}
		if echo != nil && e.Action == "output" {
			fmt.Fprint(echo, e.Output)
		}
		if e.Package == "" {
			continue
		}
		pkg := strings.TrimPrefix(e.Package, "github.com/normkit/norm/")
		c := res.packages[pkg]
		if c == nil {
			c = &counts{}
			res.packages[pkg] = c
		}
		key := e.Package + "\x00" + e.Test
		switch e.Action {
		case "output":
			output[key] = append(output[key], e.Output)
		case "pass":
			if e.Test != "" {
				c.pass++
			}
		case "skip":
			if e.Test != "" {
				c.skip++
				res.skips = append(res.skips, skipped{pkg: pkg, test: e.Test, reason: skipReason(output[key])})
			}
		case "fail":
			out := output[key]
			out = out[max(0, len(out)-failureLines):]
			if e.Test != "" {
				c.fail++
				res.failures = append(res.failures, failure{name: pkg + "." + e.Test, output: out})
			} else if c.fail == 0 {
				c.broken = true
				res.failures = append(res.failures, failure{name: pkg, output: out})
			}
		}
		if e.Action == "pass" || e.Action == "skip" || e.Action == "fail" {
			delete(output, key)
		}
	}
	return res, sc.Err()
}

// skipReason picks t.Skip's message out of a test's output: the indented
// lines (file.go:NN: message) before "--- SKIP".
func skipReason(lines []string) string {
	var msg []string
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "=== ") || strings.HasPrefix(t, "--- ") {
			continue
		}
		msg = append(msg, t)
	}
	if len(msg) == 0 {
		return "(no reason logged)"
	}
	return strings.Join(msg, " ")
}

// matrix collects the results of every version.
type matrix struct{ results []*result }

func (m *matrix) add(r *result) { m.results = append(m.results, r) }

// print writes the pass/fail/skip table (Markdown, so it can go in the
// docs as printed), the wall time of each version, every skip with its
// reason and every failure.
func (m *matrix) print(w io.Writer) {
	if len(m.results) == 0 {
		return
	}
	var pkgs []string
	seen := map[string]bool{}
	for _, r := range m.results {
		for p := range r.packages {
			if !seen[p] {
				seen[p] = true
				pkgs = append(pkgs, p)
			}
		}
	}
	slices.Sort(pkgs)
	fmt.Fprint(w, "\n| package (pass/fail/skip) |")
	for _, r := range m.results {
		fmt.Fprintf(w, " %s |", r.server)
	}
	fmt.Fprint(w, "\n| --- |")
	for range m.results {
		fmt.Fprint(w, " --- |")
	}
	fmt.Fprintln(w)
	for _, p := range pkgs {
		fmt.Fprintf(w, "| %s |", p)
		for _, r := range m.results {
			c := r.packages[p]
			switch {
			case c == nil:
				fmt.Fprint(w, " – |")
			case c.broken:
				fmt.Fprintf(w, " FAIL %d/%d/%d |", c.pass, c.fail, c.skip)
			default:
				fmt.Fprintf(w, " %d/%d/%d |", c.pass, c.fail, c.skip)
			}
		}
		fmt.Fprintln(w)
	}
	fmt.Fprint(w, "| wall time |")
	for _, r := range m.results {
		fmt.Fprintf(w, " %s |", r.wall.Round(time.Second))
	}
	fmt.Fprintln(w)
	for _, r := range m.results {
		for _, s := range r.skips {
			fmt.Fprintf(w, "skip on %s: %s %s: %s\n", r.server, s.pkg, s.test, s.reason)
		}
		for _, f := range r.failures {
			fmt.Fprintf(w, "FAIL on %s: %s\n", r.server, f.name)
			for _, l := range f.output {
				fmt.Fprint(w, "    "+l)
			}
		}
	}
}
