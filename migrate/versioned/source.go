package versioned

import (
	"fmt"
	"io/fs"
	"math"
	"path"
	"sort"
	"strings"
)

// noTxDirective is the comment that marks a file to run outside a
// transaction.
const noTxDirective = "norm:no-transaction"

// parsedName is a parsed migration file name: NNNN_name.up.sql or
// NNNN_name.down.sql.
type parsedName struct {
	Version int64
	Name    string
	Up      bool
}

// parseName parses a migration file name (base name only). The version
// is a positive decimal integer (leading zeros and timestamps such as
// 20260101120000 are fine); the name is letters, digits, '_' and '-'.
func parseName(base string) (parsedName, error) {
	var fn parsedName
	stem, ok := strings.CutSuffix(base, ".up.sql")
	if ok {
		fn.Up = true
	} else if stem, ok = strings.CutSuffix(base, ".down.sql"); !ok {
		return fn, fmt.Errorf("%w %q: name must end in .up.sql or .down.sql", ErrBadFile, base)
	}
	digits, name, ok := strings.Cut(stem, "_")
	if !ok || name == "" {
		return fn, fmt.Errorf("%w %q: want NNNN_name.up.sql or NNNN_name.down.sql", ErrBadFile, base)
	}
	v, err := parseVersion(digits)
	if err != nil {
		return fn, fmt.Errorf("%w %q: %w", ErrBadFile, base, err)
	}
	for _, c := range name {
		if !isNameChar(c) {
			return fn, fmt.Errorf("%w %q: name %q may hold only letters, digits, '_' and '-'", ErrBadFile, base, name)
		}
	}
	fn.Version, fn.Name = v, name
	return fn, nil
}

func isNameChar(c rune) bool {
	return c == '_' || c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// parseVersion parses a positive decimal version without overflow.
func parseVersion(digits string) (int64, error) {
	if digits == "" {
		return 0, fmt.Errorf("missing version number")
	}
	var v int64
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("version %q is not a decimal number", digits)
		}
		d := int64(c - '0')
		if v > (math.MaxInt64-d)/10 {
			return 0, fmt.Errorf("version %q is too large", digits)
		}
		v = v*10 + d
	}
	if v <= 0 {
		return 0, fmt.Errorf("version %q must be positive", digits)
	}
	return v, nil
}

// script is one parsed SQL file.
type script struct {
	Path          string
	Text          string // the file as read (BOM included), for the checksum
	Statements    []statement
	NoTransaction bool
}

// parseScript reads the directives at the top of a file and splits
// its statements. A "-- norm:…" directive must sit among the comment lines
// before the first statement; an unknown one is an error (so a typo does
// not silently run CONCURRENTLY inside a transaction).
func parseScript(p, src string) (*script, error) {
	stmts, err := splitScript(src)
	if err != nil {
		return nil, fmt.Errorf("%w %s: %w", ErrBadFile, p, err)
	}
	sc := &script{Path: p, Statements: stmts}
	if !strings.Contains(src, "norm:") {
		return sc, nil // no directive: spare lexing the file a second time
	}
	head := len(src)
	if len(stmts) > 0 {
		head = stmts[0].End - len(stmts[0].Code) // where its first code token starts
	}
	lx := relexer{lx: lexer{src: src}, stmts: stmts}
	for {
		tk, ok, _ := lx.scan() // splitScript succeeded, so this does too
		if !ok {
			break
		}
		if tk.kind != tokComment || !strings.HasPrefix(tk.text, "--") {
			continue
		}
		body := strings.TrimSpace(strings.TrimPrefix(tk.text, "--"))
		if !strings.HasPrefix(body, "norm:") {
			continue
		}
		line := lineAt(src, tk.start)
		switch {
		case tk.start > head:
			return nil, fmt.Errorf("%w %s:%d: directive %q must come before the first statement", ErrBadFile, p, line, body)
		case body != noTxDirective:
			return nil, fmt.Errorf("%w %s:%d: unknown directive %q (known: %q)", ErrBadFile, p, line, body, noTxDirective)
		}
		sc.NoTransaction = true
	}
	return sc, nil
}

// loadFiles reads every *.sql file in the root of fsys and pairs up and
// down files by version. Other files and subdirectories are ignored.
func loadFiles(fsys fs.FS) ([]*Migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("migrate: read migration directory: %w", err)
	}
	byVersion := map[int64]*Migration{}
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".sql" {
			continue
		}
		if err := addFile(fsys, e.Name(), byVersion); err != nil {
			return nil, err
		}
	}
	out := make([]*Migration, 0, len(byVersion))
	for _, m := range byVersion {
		if m.up == nil {
			return nil, fmt.Errorf("%w %s: down file without an up file for version %d", ErrBadFile, m.DownFile, m.Version)
		}
		var down *string
		if m.down != nil {
			down = &m.down.Text
		}
		m.Checksum, m.legacyChecksum = checksumV2(m.up.Text, down), checksumV1(m.up.Text)
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// addFile parses one file and attaches it to its version's migration.
func addFile(fsys fs.FS, base string, byVersion map[int64]*Migration) error {
	fn, err := parseName(base)
	if err != nil {
		return err
	}
	data, err := fs.ReadFile(fsys, base)
	if err != nil {
		return fmt.Errorf("migrate: read %s: %w", base, err)
	}
	text := string(data)
	sc, err := parseScript(base, strings.TrimPrefix(text, "\ufeff")) // editors may add a BOM
	if err != nil {
		return err
	}
	sc.Text = text
	m := byVersion[fn.Version]
	if m == nil {
		m = &Migration{Version: fn.Version, Name: fn.Name, Kind: KindSQL}
		byVersion[fn.Version] = m
	}
	other := m.UpFile + m.DownFile
	if fn.Name != m.Name {
		return fmt.Errorf("%w %s: version %d is also used by %s", ErrBadFile, base, fn.Version, other)
	}
	if fn.Up {
		if m.up != nil {
			return fmt.Errorf("%w %s: duplicate up file for version %d (also %s)", ErrBadFile, base, fn.Version, m.UpFile)
		}
		m.UpFile, m.up = base, sc
		return nil
	}
	if m.down != nil {
		return fmt.Errorf("%w %s: duplicate down file for version %d (also %s)", ErrBadFile, base, fn.Version, m.DownFile)
	}
	m.DownFile, m.down = base, sc
	return nil
}
