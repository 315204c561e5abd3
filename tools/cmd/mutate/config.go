package main

import (
	"bufio"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
)

// readFiles parses the list of files to mutate: one path a line, relative
// to the repository root and slash-separated; blank lines and lines
// starting with # are skipped. A path listed twice is an error, so a
// table row never counts twice.
func readFiles(r io.Reader) ([]string, error) {
	var files []string
	seen := map[string]bool{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		p := path.Clean(line)
		if path.IsAbs(p) || strings.HasPrefix(p, "../") || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil, fmt.Errorf("line %d: %q is not a non-test .go file relative to the repository root", n, line)
		}
		if seen[p] {
			return nil, fmt.Errorf("line %d: %s is listed twice", n, p)
		}
		seen[p] = true
		files = append(files, p)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no file listed")
	}
	return files, nil
}

// mutantKey names one mutant: gremlins reports a mutator type at a
// line and column of a file.
type mutantKey struct {
	File    string // relative to the repository root: "pool/breaker.go"
	Line    int
	Column  int
	Mutator string // gremlins' type: "CONDITIONALS_BOUNDARY"
}

func (k mutantKey) String() string {
	return fmt.Sprintf("%s:%d:%d %s", k.File, k.Line, k.Column, k.Mutator)
}

// ignoreEntry is one reviewed mutant gremlins does not kill.
type ignoreEntry struct {
	Key    mutantKey
	Kind   string // "equivalent", "killed" (checked by hand) or "not-viable"
	Reason string
	Line   int // line of the ignore file, for messages
}

// readIgnore parses the reviewed list of mutants gremlins does not kill,
// one a line:
//
//	pool/retry.go:112:9 CONDITIONALS_BOUNDARY equivalent: n == 0 and n < 1 are one test for an uint
//	pool/breaker.go:191:21 CONDITIONALS_BOUNDARY killed: loops forever; TestBreakerX times out
//
// file:line:column as gremlins reports them, the mutator type, then the
// kind and a reason (required: an entry nobody can review is not
// accepted). "equivalent:" is a mutant no test can tell from the code
// (the table leaves it out); "killed:" one that a test was seen to fail
// on by hand, where gremlins cannot tell (a timeout on a busy machine, a
// case clause its coverage does not reach) — the table counts it killed,
// "by hand"; "not-viable:" one that does not compile but that gremlins
// reports not covered without trying (package-level declarations).
// Blank lines and lines starting with # are skipped.
func readIgnore(r io.Reader) ([]ignoreEntry, error) {
	var out []ignoreEntry
	seen := map[mutantKey]bool{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 4 || !strings.HasSuffix(fields[2], ":") || !ignoreKinds[strings.TrimSuffix(fields[2], ":")] {
			return nil, fmt.Errorf("line %d: want \"file:line:column MUTATOR equivalent:|killed:|not-viable: reason\", got %q", n, line)
		}
		kind := strings.TrimSuffix(fields[2], ":")
		k, err := parsePos(fields[0])
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		k.Mutator = fields[1]
		if !knownMutators[k.Mutator] {
			return nil, fmt.Errorf("line %d: unknown mutator %q", n, k.Mutator)
		}
		if seen[k] {
			return nil, fmt.Errorf("line %d: %s is listed twice", n, k)
		}
		seen[k] = true
		out = append(out, ignoreEntry{Key: k, Kind: kind, Reason: strings.Join(fields[3:], " "), Line: n})
	}
	return out, sc.Err()
}

func parsePos(s string) (mutantKey, error) {
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		return mutantKey{}, fmt.Errorf("%q is not file:line:column", s)
	}
	l, err1 := strconv.Atoi(parts[1])
	c, err2 := strconv.Atoi(parts[2])
	if err1 != nil || err2 != nil || l < 1 || c < 1 {
		return mutantKey{}, fmt.Errorf("%q is not file:line:column", s)
	}
	return mutantKey{File: path.Clean(parts[0]), Line: l, Column: c}, nil
}

var ignoreKinds = map[string]bool{"equivalent": true, "killed": true, "not-viable": true}

// knownMutators are gremlins v0.6.0's mutator types.
var knownMutators = map[string]bool{
	"ARITHMETIC_BASE": true, "CONDITIONALS_BOUNDARY": true, "CONDITIONALS_NEGATION": true,
	"INCREMENT_DECREMENT": true, "INVERT_ASSIGNMENTS": true, "INVERT_BITWISE": true,
	"INVERT_BWASSIGN": true, "INVERT_LOGICAL": true, "INVERT_LOOPCTRL": true,
	"INVERT_NEGATIVES": true, "REMOVE_SELF_ASSIGNMENTS": true,
}
