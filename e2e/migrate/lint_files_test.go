package migrate_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/normkit/norm/migrate/migratecmd"
	"github.com/normkit/norm/migrate/versioned"
)

// lintCase is one file (NAME.up.sql, run as 0002_NAME.up.sql) or
// directory of files of the lint corpus in testdata/lint/cases, linted
// after testdata/lint/base. Its name says what lint --check must do:
// unsafe_… exits 2, safe_… and warn_… exit 0 (warn_ with a warning
// finding, safe_ with none of warning severity or worse that is not
// allowed).
type lintCase struct {
	name  string
	files map[string]string // file name → content
}

func lintCases(t *testing.T) []lintCase {
	t.Helper()
	root := filepath.Join("testdata", "lint", "cases")
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var cases []lintCase
	for _, e := range entries {
		c := lintCase{files: map[string]string{}}
		switch {
		case e.IsDir():
			c.name = e.Name()
			subs, err := os.ReadDir(filepath.Join(root, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range subs {
				data, err := os.ReadFile(filepath.Join(root, e.Name(), s.Name()))
				if err != nil {
					t.Fatal(err)
				}
				c.files[s.Name()] = string(data)
			}
		case strings.HasSuffix(e.Name(), ".up.sql"):
			c.name = strings.TrimSuffix(e.Name(), ".up.sql")
			data, err := os.ReadFile(filepath.Join(root, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			c.files["0002_"+c.name+".up.sql"] = string(data)
		default:
			continue
		}
		cases = append(cases, c)
	}
	return cases
}

// lintDir writes the base migration and the case's files into a new
// directory.
func lintDir(t *testing.T, c lintCase) string {
	t.Helper()
	dir := t.TempDir()
	base, err := os.ReadFile(filepath.Join("testdata", "lint", "base", "0001_base.up.sql"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{"0001_base.up.sql": string(base)}
	for n, s := range c.files {
		files[n] = s
	}
	for n, s := range files {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func lintCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := migratecmd.Run(ctxT(t), args, &out, &errOut, migratecmd.Options{})
	return code, out.String(), errOut.String()
}

// TestLintCorpus lints every case of the corpus on a scratch database,
// compares the findings with the golden file (testdata/lint/cases/NAME.golden;
// -update rewrites it) and checks the exit status of lint --check.
func TestLintCorpus(t *testing.T) {
	cases := lintCases(t)
	if len(cases) < 40 {
		t.Fatalf("the lint corpus has %d cases, want at least 40", len(cases))
	}
	var unsafeFlagged, unsafeTotal, safeClean, safeTotal, warned, warnTotal atomic.Int32
	t.Cleanup(func() {
		t.Logf("lint corpus: unsafe flagged %d/%d, safe not flagged %d/%d, warnings reported %d/%d",
			unsafeFlagged.Load(), unsafeTotal.Load(), safeClean.Load(), safeTotal.Load(), warned.Load(), warnTotal.Load())
	})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := lintDir(t, c)
			code, out, errOut := lintCmd(t, "lint", "--check", "--dir", dir, "--dev-url", cluster.DSN())
			golden := filepath.Join("testdata", "lint", "cases", c.name+".golden")
			if *updateGolden {
				if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to write it)", err)
			}
			if out != string(want) {
				t.Errorf("findings differ from %s:\ngot:\n%s\nwant:\n%s\nstderr: %s", golden, out, want, errOut)
			}
			switch {
			case strings.HasPrefix(c.name, "unsafe_"):
				unsafeTotal.Add(1)
				if code != migratecmd.ExitUnsafe {
					t.Errorf("lint --check exit = %d, want %d (unsafe); stderr: %s", code, migratecmd.ExitUnsafe, errOut)
				} else {
					unsafeFlagged.Add(1)
				}
			case strings.HasPrefix(c.name, "warn_"):
				warnTotal.Add(1)
				if code != migratecmd.ExitOK || !strings.Contains(out, ": warning ") {
					t.Errorf("lint --check exit = %d, want 0 with a warning finding; stderr: %s", code, errOut)
				} else {
					warned.Add(1)
				}
			case strings.HasPrefix(c.name, "safe_"):
				safeTotal.Add(1)
				flagged := false
				for _, sev := range []string{": warning ", ": unsafe ", ": destructive "} {
					flagged = flagged || strings.Contains(out, sev)
				}
				if code != migratecmd.ExitOK || flagged {
					t.Errorf("lint --check exit = %d, want 0 with no warning or worse; stderr: %s", code, errOut)
				} else {
					safeClean.Add(1)
				}
			default:
				t.Fatalf("case %s: name must start with unsafe_, warn_ or safe_", c.name)
			}
		})
	}
}

// TestLintJSON checks the JSON form: codes, severities, the safe
// alternative from the hazard catalog, allowed findings and the exit
// status without --check.
func TestLintJSON(t *testing.T) {
	t.Parallel()
	dir := lintDir(t, lintCase{files: map[string]string{
		"0002_index.up.sql": "CREATE INDEX users_email_idx ON users (email);\n",
		"0003_drop.up.sql":  "-- norm:allow drop-column no code reads it since v3\nALTER TABLE orders DROP COLUMN note;\n",
	}})
	code, out, errOut := lintCmd(t, "lint", "--json", "--dir", dir, "--dev-url", cluster.DSN())
	if code != migratecmd.ExitOK {
		t.Fatalf("lint --json exit = %d, want 0 without --check; stderr: %s", code, errOut)
	}
	var rep versioned.LintReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("output is not a lint report: %v\n%s", err, out)
	}
	if len(rep.Files) != 3 {
		t.Fatalf("files = %d, want 3: %s", len(rep.Files), out)
	}
	idx := rep.Files[1]
	if len(idx.Statements) != 1 || idx.Statements[0].Line != 1 || idx.Statements[0].Bare {
		t.Fatalf("0002 statements = %+v, want the one CREATE INDEX, in a transaction", idx.Statements)
	}
	if locks := idx.Statements[0].Locks; len(locks) != 1 || locks[0] != (versioned.LintLock{Table: "users", Mode: "SHARE"}) {
		t.Errorf("CREATE INDEX took %+v, want exactly SHARE on users", locks)
	}
	var got []string
	for _, f := range rep.Files[1:] {
		for _, x := range f.Findings {
			got = append(got, f.File+" "+x.Code+" "+x.Severity.String()+" "+x.Table+" allowed="+map[bool]string{true: "yes", false: "no"}[x.Allowed]+" "+x.AllowReason)
			if x.Safe == "" {
				t.Errorf("finding %s has no safe alternative", x.Code)
			}
		}
	}
	sort.Strings(got)
	want := []string{
		"0002_index.up.sql blocking-index unsafe users allowed=no ",
		"0003_drop.up.sql drop-column destructive orders allowed=yes no code reads it since v3",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestLintFromDatabase: with --dsn, the versions applied there are
// replayed, not linted.
func TestLintFromDatabase(t *testing.T) {
	t.Parallel()
	db := cluster.NewDatabase(t)
	dir := lintDir(t, lintCase{files: map[string]string{
		"0002_index.up.sql": "CREATE INDEX users_email_idx ON users (email);\n",
		"0003_check.up.sql": "ALTER TABLE users ADD CONSTRAINT users_age_positive CHECK (age > 0);\n",
	}})
	if code, _, errOut := lintCmd(t, "up", "--to", "2", "--dir", dir, "--dsn", db.DSN()); code != migratecmd.ExitOK {
		t.Fatalf("up --to 2: exit %d: %s", code, errOut)
	}
	code, out, errOut := lintCmd(t, "lint", "--check", "--dir", dir, "--dsn", db.DSN(), "--dev-url", cluster.DSN())
	if code != migratecmd.ExitUnsafe {
		t.Fatalf("lint --check exit = %d, want %d; stderr: %s", code, migratecmd.ExitUnsafe, errOut)
	}
	want := "0003_check.up.sql:\n  line 1: unsafe validating-constraint users: added constraint users_age_positive without NOT VALID: every row of users was checked under ACCESS EXCLUSIVE\n"
	if !strings.HasPrefix(out, want) || strings.Contains(out, "0002_index") {
		t.Errorf("lint output:\n%s\nwant it to start with:\n%s(and not lint 0002)", out, want)
	}
	if code, _, errOut := lintCmd(t, "up", "--dir", dir, "--dsn", db.DSN()); code != migratecmd.ExitOK {
		t.Fatalf("up: exit %d: %s", code, errOut)
	}
	code, out, errOut = lintCmd(t, "lint", "--check", "--dir", dir, "--dsn", db.DSN(), "--dev-url", cluster.DSN())
	if want := "nothing to lint: no migration above version 3 in " + dir + "\n"; code != migratecmd.ExitOK || out != want {
		t.Errorf("lint with every version applied = %d %q (stderr %s), want 0 %q", code, out, errOut, want)
	}
}

// TestLintBadAllow: an allow comment without a reason, or with an
// unknown code, fails the command and names the file and line.
func TestLintBadAllow(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ file, want string }{
		{"-- norm:allow drop-column\nALTER TABLE orders DROP COLUMN note;\n", "0002_bad.up.sql:1: \"norm:allow drop-column\" needs a hazard code and a reason"},
		{"ALTER TABLE orders ADD COLUMN x int;\n-- norm:allow no-such-code because\nALTER TABLE orders DROP COLUMN note;\n", "0002_bad.up.sql:2: \"norm:allow no-such-code because\": unknown hazard code \"no-such-code\""},
	} {
		dir := lintDir(t, lintCase{files: map[string]string{"0002_bad.up.sql": tc.file}})
		code, _, errOut := lintCmd(t, "lint", "--dir", dir, "--dev-url", cluster.DSN())
		if code != migratecmd.ExitError || !strings.Contains(errOut, tc.want) {
			t.Errorf("exit %d, stderr %q; want exit 1 naming %q", code, errOut, tc.want)
		}
	}
}

// TestLintNormctlLocalServer runs lint through the normctl binary without
// --dev-url, so on a throwaway server from the local PostgreSQL binaries.
func TestLintNormctlLocalServer(t *testing.T) {
	t.Parallel()
	bin := filesNormctl(t)
	dir := lintDir(t, lintCase{files: map[string]string{
		"0002_index.up.sql": "CREATE INDEX users_email_idx ON users (email);\n",
	}})
	code, out, errOut := filesExec(t, bin, "", "migrate", "lint", "--check", "--dir", dir)
	want := "0001_base.up.sql: ok\n0002_index.up.sql:\n  line 1: unsafe blocking-index users: built index users_email_idx without CONCURRENTLY"
	if code != migratecmd.ExitUnsafe || !strings.HasPrefix(out, want) {
		t.Errorf("normctl migrate lint --check = %d\n%s\nstderr: %s\nwant exit 2 and output starting with:\n%s", code, out, errOut, want)
	}
	if code, _, errOut := filesExec(t, bin, "", "migrate", "lint", "--dir", dir); code != migratecmd.ExitOK {
		t.Errorf("without --check: exit %d, want 0; stderr: %s", code, errOut)
	}
}
