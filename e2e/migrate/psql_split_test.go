package migrate_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/normkit/norm/migrate"
	"github.com/normkit/norm/migrate/versioned"
	"github.com/normkit/norm/observe"
	"github.com/normkit/norm/sqlb"
	"github.com/normkit/norm/tools/pgtest"
)

// The differential tests below run psql over SQL files and compare the
// statements psql sends with those of migrate's file splitter. psql's -L
// option writes every query it sends to a log between marker lines, which
// gives psql's exact statement boundaries.

const (
	psqlQueryStart = "********* QUERY **********\n"
	psqlQueryEnd   = "\n**************************\n"
)

// splitFile is one SQL file of a corpus.
type splitFile struct {
	name, src string
}

// TestSplitMatchesPsqlHandCorpus compares the splitter with psql on the
// hand-written files in testdata/split.
func TestSplitMatchesPsqlHandCorpus(t *testing.T) {
	t.Parallel()
	psql := splitPsql(t)
	paths, err := filepath.Glob(filepath.Join("testdata", "split", "*.sql"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no hand corpus in testdata/split: %v", err)
	}
	splitCompareCorpus(t, psql, splitRead(t, paths))
}

// TestSplitMatchesPsqlExtensionScripts compares the splitter with psql on
// the extension scripts the PostgreSQL server package installs on this
// machine: real PostgreSQL SQL with dollar quotes, functions and
// comments. They are read at test time, never copied into the repository.
func TestSplitMatchesPsqlExtensionScripts(t *testing.T) {
	t.Parallel()
	psql := splitPsql(t)
	dir := splitExtensionDir()
	if dir == "" {
		t.Skip("no PostgreSQL extension scripts found (pg_config --sharedir, /usr/share/postgresql/*/extension); install the postgresql server package to run this test")
	}
	paths, err := filepath.Glob(filepath.Join(dir, "*.sql"))
	if err != nil || len(paths) == 0 {
		t.Skipf("no *.sql in %s; install the postgresql server package to run this test", dir)
	}
	splitCompareCorpus(t, psql, splitRead(t, paths))
}

// splitPsql finds psql, skipping the test when there is none.
func splitPsql(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("psql"); err == nil {
		return p
	}
	if ps, _ := filepath.Glob("/usr/lib/postgresql/*/bin/psql"); len(ps) > 0 {
		return ps[len(ps)-1]
	}
	t.Skip("psql not found; install the PostgreSQL client to run the differential test")
	return ""
}

// splitExtensionDir returns the directory of installed extension scripts,
// or "" when there is none.
func splitExtensionDir() string {
	var dirs []string
	if out, err := exec.Command("pg_config", "--sharedir").Output(); err == nil {
		dirs = append(dirs, filepath.Join(strings.TrimSpace(string(out)), "extension"))
	}
	globbed, _ := filepath.Glob("/usr/share/postgresql/*/extension")
	slices.Reverse(globbed) // the newest major first
	dirs = append(dirs, globbed...)
	for _, d := range dirs {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			return d
		}
	}
	return ""
}

// splitRead reads the files and drops every line that starts with a
// backslash: extension scripts open with a psql meta-command line
// (\echo … \quit) that psql would obey and the splitter does not know,
// so both sides get the SQL without it.
func splitRead(t *testing.T, paths []string) []splitFile {
	t.Helper()
	var files []splitFile
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.SplitAfter(string(b), "\n")
		lines = slices.DeleteFunc(lines, func(l string) bool { return strings.HasPrefix(l, `\`) })
		files = append(files, splitFile{name: filepath.Base(p), src: strings.Join(lines, "")})
	}
	return files
}

// splitCompareCorpus runs psql and the splitter over every file and
// fails on each statement where they differ; it then runs every
// statement through observe.Normalize and sqlb.CountPlaceholders.
func splitCompareCorpus(t *testing.T, psql string, files []splitFile) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	db := cluster.NewDatabase(t)
	pool := db.Pool(t)
	tmp := t.TempDir()

	psqlStmts := make([][]string, len(files))
	errs := make([]error, len(files))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	for i, f := range files {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			psqlStmts[i], errs[i] = splitRunPsql(ctx, psql, db, filepath.Join(tmp, fmt.Sprint(i)), f.src)
		}()
	}
	wg.Wait()

	compared, mismatches := 0, 0
	var all []splitStmt
	for i, f := range files {
		if errs[i] != nil {
			t.Fatalf("%s: %v", f.name, errs[i])
		}
		theirs := splitKeys(psqlStmts[i])
		all = append(all, splitWithSettings(f.name, theirs)...)
		compared += len(theirs)
		ours, err := splitOurs(ctx, pool, f.src)
		if err != nil {
			t.Errorf("%s: the splitter fails where psql does not: %v", f.name, err)
			mismatches++
			continue
		}
		mismatches += splitDiff(t, f.name, splitSpaced(theirs), splitSpaced(splitKeys(ours)))
	}
	t.Logf("%d files, %d statements compared with psql, %d mismatches", len(files), compared, mismatches)
	splitCheckNormalizers(t, all)
}

// splitRunPsql runs psql over src on db and returns the queries it sent.
func splitRunPsql(ctx context.Context, psql string, db *pgtest.Database, base, src string) ([]string, error) {
	file, logFile := base+".sql", base+".log"
	if err := os.WriteFile(file, []byte(src), 0o600); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, psql, "-X", "-q", "-v", "ON_ERROR_STOP=0", "-L", logFile, "-f", file, "-o", os.DevNull, "-d", db.DSN())
	cmd.Env = append(os.Environ(), "PGCONNECT_TIMEOUT=10")
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		return nil, fmt.Errorf("psql timed out: %w", ctx.Err())
	}
	if err != nil && !strings.Contains(string(out), "ERROR") {
		return nil, fmt.Errorf("psql failed: %w: %s", err, out)
	}
	log, err := os.ReadFile(logFile)
	if err != nil {
		return nil, err
	}
	return splitParsePsqlLog(string(log)), nil
}

// splitParsePsqlLog returns the queries between psql's -L marker lines.
func splitParsePsqlLog(log string) []string {
	var out []string
	for {
		i := strings.Index(log, psqlQueryStart)
		if i < 0 {
			return out
		}
		log = log[i+len(psqlQueryStart):]
		j := strings.Index(log, psqlQueryEnd)
		if j < 0 {
			return append(out, log)
		}
		out = append(out, log[:j])
		log = log[j+len(psqlQueryEnd):]
	}
}

// splitOurs returns the statements migrate's splitter finds in src, as a
// dry run of a one-file migration reports them.
func splitOurs(ctx context.Context, db migrate.DB, src string) ([]string, error) {
	fsys := fstest.MapFS{"0001_corpus.up.sql": &fstest.MapFile{Data: []byte(src)}}
	mg, err := versioned.NewMigrator(db, fsys, versioned.MigratorOptions{DryRun: true})
	if err != nil {
		return nil, err
	}
	res, err := mg.Up(ctx)
	if err != nil {
		return nil, err
	}
	if len(res) != 1 {
		return nil, fmt.Errorf("dry run reported %d versions, want 1", len(res))
	}
	return res[0].Statements, nil
}

// splitKeys trims each statement for comparison: leading whitespace and
// comments go (psql drops leading "--" comments, the splitter keeps
// them), and statements left empty or holding only ";" are dropped (psql
// sends a trailing comment or a lone ";" as a query, the splitter drops
// them).
func splitKeys(stmts []string) []string {
	var out []string
	for _, s := range stmts {
		k := splitTrimLead(s)
		if k == "" || k == ";" {
			continue
		}
		out = append(out, k)
	}
	return out
}

// splitSpaced collapses each run of whitespace to one space: psql leaves
// the empty lines of a file (outside quotes) out of the query it sends,
// which changes no statement boundary.
func splitSpaced(stmts []string) []string {
	out := make([]string, len(stmts))
	for i, s := range stmts {
		out[i] = strings.Join(strings.Fields(s), " ")
	}
	return out
}

func splitTrimLead(s string) string {
	for {
		s = strings.TrimSpace(s)
		switch {
		case strings.HasPrefix(s, "--"):
			i := strings.IndexByte(s, '\n')
			if i < 0 {
				return ""
			}
			s = s[i+1:]
		case strings.HasPrefix(s, "/*"):
			depth, i := 0, 0
			for i < len(s) {
				switch {
				case strings.HasPrefix(s[i:], "/*"):
					depth++
					i += 2
				case strings.HasPrefix(s[i:], "*/"):
					depth--
					i += 2
				default:
					i++
				}
				if depth == 0 {
					break
				}
			}
			s = s[i:]
		default:
			return s
		}
	}
}

// splitDiff reports the statements where psql and the splitter differ
// (at most five per file) and returns how many differ.
func splitDiff(t *testing.T, name string, theirs, ours []string) int {
	t.Helper()
	n := 0
	for i := 0; i < max(len(theirs), len(ours)); i++ {
		var a, b string
		if i < len(theirs) {
			a = theirs[i]
		}
		if i < len(ours) {
			b = ours[i]
		}
		if a == b {
			continue
		}
		n++
		if n <= 5 {
			at := splitCommonPrefix(a, b)
			t.Errorf("%s: statement %d differs at byte %d\npsql:     %s\nsplitter: %s\nfrom there: psql %s, splitter %s",
				name, i+1, at, splitExcerpt(a), splitExcerpt(b), splitExcerpt(a[max(at-40, 0):]), splitExcerpt(b[max(at-40, 0):]))
		}
		if len(theirs) != len(ours) {
			// The lists are out of step from here on; one report says it.
			t.Errorf("%s: psql sent %d statements, the splitter found %d", name, len(theirs), len(ours))
			return n + abs(len(theirs)-len(ours))
		}
	}
	return n
}

func splitCommonPrefix(a, b string) int {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return i
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func splitExcerpt(s string) string {
	const limit = 300
	if s == "" {
		return "(none)"
	}
	if len(s) > limit {
		return fmt.Sprintf("%q … (%d bytes)", s[:limit], len(s))
	}
	return fmt.Sprintf("%q", s)
}

// splitStmt is a statement as psql sent it, with the value of
// standard_conforming_strings psql lexed it under.
type splitStmt struct {
	file, sql   string
	backslashes bool // standard_conforming_strings is off
}

var (
	splitSCSOff = regexp.MustCompile(`(?is)^set\s+(session\s+|local\s+)?standard_conforming_strings\s*(=|to)\s*'?(off|false|no|0)'?\s*;?$`)
	splitSCSOn  = regexp.MustCompile(`(?is)^(set\s+(session\s+|local\s+)?standard_conforming_strings\s*(=|to)\s*'?(on|true|yes|1|default)'?|reset\s+(standard_conforming_strings|all))\s*;?$`)
)

// splitWithSettings follows SET/RESET standard_conforming_strings through
// the statements of one file, as psql learns them from the server.
func splitWithSettings(file string, stmts []string) []splitStmt {
	off := false
	out := make([]splitStmt, 0, len(stmts))
	for _, s := range stmts {
		out = append(out, splitStmt{file: file, sql: s, backslashes: off})
		switch {
		case splitSCSOff.MatchString(s):
			off = true
		case splitSCSOn.MatchString(s):
			off = false
		}
	}
	return out
}

// splitCheckNormalizers runs every statement through observe.Normalize
// and sqlb.CountPlaceholders: neither may panic or hang, and no string
// literal's content (as psql reads it) may survive normalisation.
func splitCheckNormalizers(t *testing.T, stmts []splitStmt) {
	t.Helper()
	type finding struct{ msg string }
	var (
		findings []finding
		current  string
		checked  int
	)
	var mu sync.Mutex
	done := make(chan struct{})
	go func() {
		defer close(done)
		for _, st := range stmts {
			mu.Lock()
			current = st.file + ": " + splitExcerpt(st.sql)
			mu.Unlock()
			msg, n := splitCheckOne(st)
			checked += n
			if msg != "" {
				findings = append(findings, finding{msg})
			}
		}
	}()
	select {
	case <-done:
		t.Logf("%d statements normalised, %d literals checked", len(stmts), checked)
	case <-time.After(20 * time.Second):
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("observe.Normalize or sqlb.CountPlaceholders hangs on %s", current)
	}
	for i, f := range findings {
		if i == 10 {
			t.Errorf("… and %d more", len(findings)-i)
			break
		}
		t.Error(f.msg)
	}
}

func splitCheckOne(st splitStmt) (msg string, checked int) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprintf("%s: panic %v on %s", st.file, r, splitExcerpt(st.sql))
		}
	}()
	_, _ = sqlb.CountPlaceholders(st.sql) // may reject the SQL; must not panic
	norm := observe.Normalize(st.sql)
	lits, code := splitLiterals(st.sql, st.backslashes)
	// A word of a literal may show in the normalised text only where the
	// statement also has it as code.
	normWords, codeWords := splitWords(norm), splitWords(code)
	for _, l := range lits {
		checked++
		for w := range splitWords(l) {
			if normWords[w] && !codeWords[w] {
				return fmt.Sprintf("%s: observe.Normalize kept %q of the literal %q in %s: %q", st.file, w, l, splitExcerpt(st.sql), norm), checked
			}
		}
	}
	return "", checked
}

// splitWords returns the runs of letters, digits and "_" in s.
func splitWords(s string) map[string]bool {
	words := map[string]bool{}
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !splitIsAlnum(r) && r != '_' }) {
		words[w] = true
	}
	return words
}

func splitIsDigit(c byte) bool { return c >= '0' && c <= '9' }

func splitIsAlnum(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
}

// splitLiterals returns the contents of the string literals of one
// statement as psql lexes it — '…' (with backslash escapes when
// backslashes is set, as with standard_conforming_strings off), E'…',
// B'…', X'…', U&'…' and $tag$…$tag$ — and the statement with literals
// and comments blanked out.
func splitLiterals(s string, backslashes bool) (lits []string, code string) {
	var b strings.Builder
	isIdent := func(c byte) bool {
		return c == '_' || c == '$' || c >= 0x80 || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
	}
	quoteEnd := func(i int, esc bool) int { // i is just after the opening quote
		for i < len(s) {
			switch {
			case esc && s[i] == '\\':
				i += 2
			case s[i] == '\'' && i+1 < len(s) && s[i+1] == '\'':
				i += 2
			case s[i] == '\'':
				return i
			default:
				i++
			}
		}
		return len(s)
	}
	for i := 0; i < len(s); {
		c := s[i]
		prevIdent := i > 0 && isIdent(s[i-1])
		switch {
		case strings.HasPrefix(s[i:], "--"):
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				j = len(s) - i
			}
			i += j
			b.WriteByte(' ')
		case strings.HasPrefix(s[i:], "/*"):
			depth, j := 0, i
			for j < len(s) {
				if strings.HasPrefix(s[j:], "/*") {
					depth++
					j += 2
				} else if strings.HasPrefix(s[j:], "*/") {
					depth--
					j += 2
					if depth == 0 {
						break
					}
				} else {
					j++
				}
			}
			i = j
			b.WriteByte(' ')
		case c == '"':
			j := i + 1
			for j < len(s) && (s[j] != '"' || j+1 < len(s) && s[j+1] == '"') {
				if s[j] == '"' {
					j++
				}
				j++
			}
			b.WriteString(s[i:min(j+1, len(s))])
			i = j + 1
		case c == '\'' || !prevIdent && strings.ContainsRune("eEbBxXnN", rune(c)) && i+1 < len(s) && s[i+1] == '\'' ||
			!prevIdent && (c == 'u' || c == 'U') && strings.HasPrefix(s[i+1:], "&'"):
			start := strings.IndexByte(s[i:], '\'') + i + 1
			esc := c == 'e' || c == 'E' || backslashes && strings.ContainsRune("'nN", rune(c))
			end := quoteEnd(start, esc)
			lits = append(lits, s[start:end])
			i = end + 1
			b.WriteByte(' ')
		case c == '$' && !prevIdent && (i+1 == len(s) || !splitIsDigit(s[i+1])):
			j := i + 1
			for j < len(s) && isIdent(s[j]) && s[j] != '$' {
				j++
			}
			if j < len(s) && s[j] == '$' {
				tag := s[i : j+1]
				k := strings.Index(s[j+1:], tag)
				if k < 0 {
					k = len(s) - j - 1
				}
				lits = append(lits, s[j+1:j+1+k])
				i = min(j+1+k+len(tag), len(s))
				b.WriteByte(' ')
				continue
			}
			b.WriteByte(c)
			i++
		case isIdent(c):
			j := i
			for j < len(s) && isIdent(s[j]) {
				j++
			}
			b.WriteString(s[i:j])
			i = j
		default:
			b.WriteByte(c)
			i++
		}
	}
	return lits, b.String()
}
