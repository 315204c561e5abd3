// Command mutate runs mutation testing (github.com/go-gremlins/gremlins)
// over the files a list names and prints a score table, one row a file:
//
//	mutate [-root ..] [-files .mutate/files.txt] [-ignore .mutate/ignore.txt]
//	       [-gremlins bin/gremlins] [-out .cache/mutate] [-workers 1]
//	       [-timeout-coefficient 3] [-recheck-timeout 0] [-min 90]
//	       [-only pool,sqlb] [-report] [-recheck] [-dry-run]
//
// Files are grouped by package; gremlins runs once a package, with only
// that package's own unit tests (not the whole module, not e2e) and only
// the listed files mutated (every other file of the directory is
// excluded). Besides gremlins' default mutators (arithmetic, boundary and
// negated comparisons, ++/--, negated numbers) it enables INVERT_LOGICAL
// (&& ↔ ||) and INVERT_LOOPCTRL (break ↔ continue).
//
// The score of a file is killed / (viable − equivalent): viable mutants
// are the killed, lived, timed-out and not covered ones (a mutant that
// does not compile is left out). .mutate/ignore.txt is the reviewed list
// of the others, each with a reason: "equivalent:" ones (no test can
// tell them from the code) leave the count; "killed:" ones were seen
// killed by hand where neither gremlins nor mutate's own run can tell,
// and count as killed, in the "by hand" column.
//
// gremlins' timeouts are no evidence (on a busy machine a live mutant's
// compile can run past them), and it never runs a mutant in a case
// clause. So mutate tests every timed-out or not covered mutant again
// itself, through go's -overlay with go test -timeout (recheck.go):
// killed there, it counts as killed in the "rechecked" column; passing,
// as lived. The verdicts are kept beside gremlins' output. mutate exits 1
// when a file scores under -min, a listed file is missing, an
// equivalent mutant was killed (the entry is wrong) or a gremlins run
// failed.
//
// gremlins v0.6.0 counts a mutant that does not build as killed (go test
// exits 1, as for a failing test); mutate moves the + of string
// concatenations turned into - to the not viable column (viable.go).
//
// -report prints the table again from the JSON files of the last run
// without running anything; -recheck tests the last run's timed-out, not
// covered and lived mutants again without running gremlins (after tests
// were added for the survivors). make mutate runs the command (see README.md).
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/normkit/norm/tools/internal/modset"
)

func main() { os.Exit(run()) }

// options are the command's flags.
type options struct {
	root, files, ignore, gremlins, out string
	workers, coefficient               int
	min                                float64
	only                               string
	reportOnly, dryRun, recheck        bool
	recheckTimeout                     time.Duration
}

// run is main with an exit code, so deferred calls run before the exit.
func run() int {
	var o options
	flag.StringVar(&o.root, "root", "..", "repository root (holding go.work)")
	flag.StringVar(&o.files, "files", ".mutate/files.txt", "list of files to mutate, relative to the root")
	flag.StringVar(&o.ignore, "ignore", ".mutate/ignore.txt", "reviewed list of equivalent mutants, relative to the root")
	flag.StringVar(&o.gremlins, "gremlins", "bin/gremlins", "gremlins binary, relative to the root")
	flag.StringVar(&o.out, "out", ".cache/mutate", "directory for gremlins' JSON output and logs, relative to the root")
	flag.IntVar(&o.workers, "workers", 1, "mutants tested at once")
	flag.IntVar(&o.coefficient, "timeout-coefficient", 3, "a mutant's test run times out after this many times the coverage run")
	flag.Float64Var(&o.min, "min", 90, "lowest score (percent) a file may have")
	flag.StringVar(&o.only, "only", "", "comma-separated package directories (\"pool,sqlb\") to run; the others are left out of the table")
	flag.BoolVar(&o.reportOnly, "report", false, "print the table from the last run's output without running gremlins")
	flag.BoolVar(&o.recheck, "recheck", false, "test the last run's timed-out, not covered and lived mutants again (after adding tests) without running gremlins")
	flag.DurationVar(&o.recheckTimeout, "recheck-timeout", 0, "go test -timeout when a mutant is tested again (the tests' run, not the compile); 0: 20 times the package's unmutated run, at least 15s")
	flag.BoolVar(&o.dryRun, "dry-run", false, "find the mutants (gremlins --dry-run) without testing them; the table counts them not covered")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ok, err := mutate(ctx, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mutate:", err)
		return 2
	}
	if !ok {
		return 1
	}
	return 0
}

func mutate(ctx context.Context, o options) (bool, error) {
	tree, err := modset.Load(o.root)
	if err != nil {
		return false, err
	}
	root := tree.Root
	abs := func(p string) string {
		if filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(root, filepath.FromSlash(p))
	}
	list, err := os.Open(abs(o.files))
	if err != nil {
		return false, err
	}
	files, err := readFiles(list)
	_ = list.Close()
	if err != nil {
		return false, fmt.Errorf("%s: %w", o.files, err)
	}
	var ignore []ignoreEntry
	if f, err := os.Open(abs(o.ignore)); err == nil {
		ignore, err = readIgnore(f)
		_ = f.Close()
		if err != nil {
			return false, fmt.Errorf("%s: %w", o.ignore, err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return false, err
	}
	equivalent := map[string]bool{} // tested again when gremlins kills them
	for _, e := range ignore {
		if e.Kind == "equivalent" {
			equivalent[e.Key.String()] = true
		}
	}

	only := map[string]bool{}
	for _, d := range strings.Split(o.only, ",") {
		if d = strings.Trim(strings.TrimSpace(d), "/"); d != "" {
			only[path.Clean(d)] = true
		}
	}
	missing := map[string]bool{}
	byDir := map[string][]string{}
	var selected []string
	for _, f := range files {
		dir := path.Dir(f)
		if len(only) > 0 && !only[dir] {
			continue
		}
		selected = append(selected, f)
		if _, err := os.Stat(abs(f)); err != nil {
			missing[f] = true
			continue
		}
		byDir[dir] = append(byDir[dir], path.Base(f))
	}
	if len(selected) == 0 {
		return false, fmt.Errorf("-only %q selects no listed file", o.only)
	}
	dirs := make([]string, 0, len(byDir))
	for d := range byDir {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)

	out := abs(o.out)
	if err := os.MkdirAll(out, 0o755); err != nil {
		return false, err
	}
	tmp, err := os.MkdirTemp("", "mutate-recheck-")
	if err != nil {
		return false, err
	}
	defer os.RemoveAll(tmp)
	ge := &gremlinsEnv{tree: tree, cache: out}
	rc := rechecker{tree: tree, timeout: o.recheckTimeout, floor: 15 * time.Second, tmp: tmp, derived: map[string]time.Duration{}}
	ok := true
	var mutants []mutant
	for _, dir := range dirs {
		jsonPath := filepath.Join(out, strings.ReplaceAll(dir, "/", "_")+".json")
		if !o.reportOnly && !o.recheck {
			start := time.Now()
			fmt.Fprintf(os.Stderr, "== mutate: %s (%s)\n", dir, strings.Join(byDir[dir], " "))
			if err := runGremlins(ctx, o, ge, dir, byDir[dir], jsonPath); err != nil {
				fmt.Fprintf(os.Stderr, "mutate: %s: %v\n", dir, err)
				ok = false
				if ctx.Err() != nil {
					return false, ctx.Err()
				}
				continue
			}
			fmt.Fprintf(os.Stderr, "   %s done in %s\n", dir, time.Since(start).Round(time.Second))
		}
		f, err := os.Open(jsonPath)
		if err != nil {
			fmt.Fprintf(os.Stderr, "mutate: %s: no output of a run: %v\n", dir, err)
			ok = false
			continue
		}
		ms, err := parseGremlins(f, dir)
		_ = f.Close()
		if err != nil {
			return false, fmt.Errorf("%s: %w", jsonPath, err)
		}
		if err := markUnviable(ms, func(file string) (map[[2]int]bool, error) { return stringConcats(abs(file)) }); err != nil {
			return false, err
		}
		switch {
		case o.dryRun: // nothing was tested
		case o.reportOnly:
			err = loadRechecks(ms, recheckFile(jsonPath), equivalent)
		default:
			err = recheckAll(ctx, rc, ms, recheckFile(jsonPath), o.recheck, equivalent)
		}
		if err != nil {
			return false, fmt.Errorf("%s: %w", dir, err)
		}
		mutants = append(mutants, ms...)
	}
	rep := score(selected, missing, mutants, ignore)
	fmt.Println()
	below := rep.print(os.Stdout, o.min)
	return ok && len(below) == 0 && len(rep.Killed) == 0, nil
}

// runGremlins runs gremlins on one package directory (relative to the
// root) with every .go file under it excluded except keep, writing its
// JSON output to jsonPath and its log beside it.
func runGremlins(ctx context.Context, o options, ge *gremlinsEnv, dir string, keep []string, jsonPath string) error {
	tree := ge.tree
	m := moduleOf(tree, dir)
	if m == nil {
		return fmt.Errorf("no module of go.work holds %s", dir)
	}
	absDir := filepath.Join(tree.Root, filepath.FromSlash(dir))
	excl, err := excludes(absDir, keep)
	if err != nil {
		return err
	}
	env, err := ge.vars(ctx, m)
	if err != nil {
		return err
	}
	args := []string{"unleash",
		"--workers", fmt.Sprint(o.workers),
		"--timeout-coefficient", fmt.Sprint(o.coefficient),
		"--invert-logical", "--invert-loopctrl",
		"-o", jsonPath,
	}
	if o.dryRun {
		args = append(args, "--dry-run")
	}
	for _, e := range excl {
		args = append(args, "-E", e)
	}
	args = append(args, absDir)
	_ = os.Remove(jsonPath)
	logPath := strings.TrimSuffix(jsonPath, ".json") + ".log"
	logf, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer logf.Close()
	bin := o.gremlins
	if !filepath.IsAbs(bin) {
		bin = filepath.Join(tree.Root, filepath.FromSlash(bin))
	}
	// gremlins gathers coverage in the module's own directory, where
	// -mod=mod (for a module served its siblings by the file proxy) would
	// record the proxy's checksums of norm modules in go.sum, which
	// make lint refuses: the files are put back as they were.
	restore, err := keepFiles(filepath.Join(m.AbsDir, "go.mod"), filepath.Join(m.AbsDir, "go.sum"))
	if err != nil {
		return err
	}
	defer restore()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = m.AbsDir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout = logf
	cmd.Stderr = logf
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("gremlins: %w (log: %s)", err, logPath)
	}
	return nil
}

// moduleOf returns the module of go.work whose directory holds dir most
// closely.
func moduleOf(tree *modset.Tree, dir string) *modset.Module {
	var best *modset.Module
	for _, m := range tree.Modules {
		if (dir == m.Dir || strings.HasPrefix(dir, m.Dir+"/")) && (best == nil || len(m.Dir) > len(best.Dir)) {
			best = m
		}
	}
	return best
}

// excludes returns gremlins -E regexps (matched against paths relative
// to dir) for every non-test .go file under dir except those in keep:
// gremlins walks the whole tree under the directory it runs on.
func excludes(dir string, keep []string) ([]string, error) {
	k := map[string]bool{}
	for _, f := range keep {
		k[f] = true
	}
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if !k[rel] {
			out = append(out, "^"+regexp.QuoteMeta(rel)+"$")
		}
		return nil
	})
	return out, err
}

// keepFiles reads files and returns a function that writes back any of
// them whose content changed since (a missing file stays missing).
func keepFiles(paths ...string) (restore func(), err error) {
	saved := map[string][]byte{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue
		case err != nil:
			return nil, err
		}
		saved[p] = b
	}
	return func() {
		for p, b := range saved {
			if now, err := os.ReadFile(p); err != nil || !bytes.Equal(now, b) {
				if err := os.WriteFile(p, b, 0o644); err != nil {
					fmt.Fprintf(os.Stderr, "mutate: restoring %s: %v\n", p, err)
				}
			}
		}
	}, nil
}
