package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/normkit/norm/tools/internal/modset"
)

// runTidy checks (or, with write, makes) every module's go.mod and go.sum
// tidy as the module stands alone (GOWORK=off), with its norm siblings
// taken from the file proxy at the versions it requires.
//
// go.sum files carry no checksum of a norm module: workspace builds do not
// read them, consumers never read a dependency's go.sum, and the checksum
// of a sibling's unreleased working tree changes with every edit. So the
// check ignores go.sum lines of norm modules, and -write removes them.
func runTidy(e *env, write bool) error {
	if probs := e.tree.Problems(); len(probs) > 0 {
		return fmt.Errorf("the tree cannot be published as it is:\n\t%s", strings.Join(probs, "\n\t"))
	}
	var bad []string
	for _, m := range e.tree.Modules {
		if write {
			fmt.Printf("== tidy: %s\n", m.Dir)
			if err := stripNormSums(filepath.Join(m.AbsDir, "go.sum")); err != nil {
				return err
			}
			if _, err := e.run(m.AbsDir, nil, "go", "mod", "tidy"); err != nil {
				return err
			}
			if err := stripNormSums(filepath.Join(m.AbsDir, "go.sum")); err != nil {
				return err
			}
			continue
		}
		out, err := e.run(m.AbsDir, nil, "go", "mod", "tidy", "-diff")
		var exit *exec.ExitError
		if err != nil && (!errors.As(err, &exit) || exit.ExitCode() != 1) {
			return err
		}
		if rest := untidyLines(out); len(rest) > 0 {
			bad = append(bad, fmt.Sprintf("%s:\n%s", m.Dir, indent(strings.Join(rest, "\n"))))
		} else if err != nil && !strings.Contains(out, "diff ") {
			if strings.Contains(out, "checksum mismatch") {
				err = fmt.Errorf("%w\n(go.sum files hold no checksum of a norm module: make tidy removes it)", err)
			}
			return fmt.Errorf("go mod tidy -diff in %s: %w", m.Dir, err)
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("go.mod/go.sum not tidy (run make tidy):\n%s", strings.Join(bad, "\n"))
	}
	if !write {
		fmt.Printf("tidy: %d modules tidy without go.work\n", len(e.tree.Modules))
	}
	return nil
}

// untidyLines returns the changed lines of a `go mod tidy -diff` output
// that matter: every change to go.mod, and changes to go.sum except the
// checksums of norm's own modules.
func untidyLines(diff string) []string {
	var out []string
	file := ""
	for _, line := range strings.Split(diff, "\n") {
		switch {
		case strings.HasPrefix(line, "+++ "), strings.HasPrefix(line, "--- "):
			file = filepath.Base(strings.TrimSpace(line[4:]))
			continue
		case strings.HasPrefix(line, "diff "), strings.HasPrefix(line, "@@"):
			continue
		case !strings.HasPrefix(line, "+") && !strings.HasPrefix(line, "-"):
			continue
		}
		if file == "go.sum" && strings.HasPrefix(line[1:], modset.Prefix) {
			continue
		}
		out = append(out, file+": "+line)
	}
	return out
}

// stripNormSums removes the checksums of norm's modules from a go.sum.
func stripNormSums(path string) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	kept := dropNormSums(string(data))
	if kept == string(data) {
		return nil
	}
	if kept == "" {
		return os.Remove(path)
	}
	return os.WriteFile(path, []byte(kept), 0o644)
}

func dropNormSums(sum string) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(sum, "\n") {
		if line == "" || strings.HasPrefix(line, modset.Prefix) {
			continue
		}
		b.WriteString(line)
	}
	return b.String()
}
