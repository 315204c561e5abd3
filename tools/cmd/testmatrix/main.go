// Command testmatrix runs a package tree's tests (norm's e2e suite) once
// per PostgreSQL major version and prints what passed, failed and was
// skipped on each, with the reason of every skip:
//
//	testmatrix [-dir ../e2e] [-versions 13,14,15,16,17,18] [-race] [-timeout 20m] [-run regexp]
//
// Each version's server is fetched first (pgtest.FetchServer, into
// pgtest.CacheDir), so no test downloads anything; the tests then run with
// NORM_PG_VERSION set to the version, so pgtest starts that server —
// primary, replica and PgBouncer — for every package. The table, one row
// per package and one column per version, gives pass/fail/skip counts of
// tests (subtests included); a package that failed outside any test (a
// build error, TestMain) shows "FAIL". testmatrix exits 1 when anything
// failed. make test-matrix runs it on the e2e suite.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/normkit/norm/tools/pgtest"
)

func main() { os.Exit(run()) }

// run is main with an exit code, so deferred calls run before the exit.
func run() int {
	dir := flag.String("dir", "../e2e", "directory whose ./... is tested")
	versions := flag.String("versions", joinInts(pgtest.Versions()), "comma- or space-separated PostgreSQL major versions")
	race := flag.Bool("race", true, "run the tests with the race detector")
	timeout := flag.Duration("timeout", 20*time.Minute, "go test -timeout for each version")
	run := flag.String("run", "", "go test -run regexp (all tests when empty)")
	verbose := flag.Bool("v", false, "echo go test's output as it comes")
	flag.Parse()

	vs, err := parseVersions(*versions)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testmatrix:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := &matrix{}
	failed := false
	for _, v := range vs {
		res, err := runVersion(ctx, v, *dir, *race, *timeout, *run, *verbose)
		if err != nil {
			fmt.Fprintf(os.Stderr, "testmatrix: PostgreSQL %d: %v\n", v, err)
			failed = true
		}
		if res != nil {
			m.add(res)
			failed = failed || res.failed()
		}
		if ctx.Err() != nil {
			break
		}
	}
	m.print(os.Stdout)
	if failed {
		return 1
	}
	return 0
}

// runVersion fetches version v's server and runs the tests of dir against it.
func runVersion(ctx context.Context, v int, dir string, race bool, timeout time.Duration, run string, verbose bool) (*result, error) {
	bin, err := pgtest.FetchServer(ctx, v, os.Stderr)
	if err != nil {
		return nil, err
	}
	out, err := exec.CommandContext(ctx, filepath.Join(bin, "postgres"), "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("%s --version: %w", filepath.Join(bin, "postgres"), err)
	}
	server := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(string(out)), "postgres (PostgreSQL)"))
	fmt.Fprintf(os.Stderr, "== testmatrix: PostgreSQL %s (%s)\n", server, bin)
	args := []string{"test", "-json", "-count=1", "-timeout", timeout.String()}
	if race {
		args = append(args, "-race")
	}
	if run != "" {
		args = append(args, "-run", run)
	}
	args = append(args, "./...")
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NORM_PG_VERSION="+strconv.Itoa(v), "NORM_TEST_DATABASE_URL=")
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	var echo io.Writer
	if verbose {
		echo = os.Stderr
	}
	res, perr := parse(v, server, stdout, echo)
	werr := cmd.Wait()
	res.wall = time.Since(start)
	if perr != nil {
		return res, perr
	}
	if werr != nil && !res.failed() {
		// go test failed without a failing test or package: say so.
		res.packages["(go test)"] = &counts{broken: true}
		res.failures = append(res.failures, failure{name: "(go test)"})
		return res, fmt.Errorf("go test: %w", werr)
	}
	return res, nil
}

func parseVersions(s string) ([]int, error) {
	var vs []int
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		v, err := strconv.Atoi(f)
		if err != nil {
			return nil, fmt.Errorf("-versions: %q is not a major version", f)
		}
		vs = append(vs, v)
	}
	if len(vs) == 0 {
		return nil, fmt.Errorf("-versions: no version given (pgtest has %v)", pgtest.Versions())
	}
	return vs, nil
}

func joinInts(vs []int) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = strconv.Itoa(v)
	}
	return strings.Join(s, ",")
}
