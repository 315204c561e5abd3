package migratecmd

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// create writes the next NNNN_NAME.up.sql / .down.sql pair into the
// migrations directory (never overwriting a file).
func (r *runner) create() (int, error) {
	name, err := r.migrationName()
	if err != nil {
		return ExitError, err
	}
	dir := r.dirName()
	if err := os.MkdirAll(dir, 0o755); err != nil && !r.cl.dryRun {
		return ExitError, fmt.Errorf("migrate: create: %w", err)
	}
	next, width, err := nextVersion(dir)
	if err != nil {
		return ExitError, err
	}
	prefix := fmt.Sprintf("%0*d_%s", width, next, name)
	files := []struct{ name, body string }{
		{prefix + ".up.sql", "-- " + prefix + ": up\n" +
			"-- Runs in one transaction with lock_timeout set (5s by default).\n" +
			"-- For CREATE INDEX CONCURRENTLY, make the first line: -- norm:no-transaction\n\n"},
		{prefix + ".down.sql", "-- " + prefix + ": down\n\n"},
	}
	for _, f := range files {
		p := filepath.Join(dir, f.name)
		if r.cl.dryRun {
			p = "would create " + p
		} else if err := writeNew(p, f.body, "create"); err != nil {
			return ExitError, err
		}
		if _, err := fmt.Fprintln(r.out, p); err != nil {
			return ExitError, err
		}
	}
	return ExitOK, nil
}

// nextVersion returns one more than the highest version in dir and the
// digit width to print it with (at least 4, as wide as the widest
// existing version).
func nextVersion(dir string) (int64, int, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return 1, 4, nil
	}
	if err != nil {
		return 0, 0, fmt.Errorf("migrate: create: %w", err)
	}
	var highest int64
	width := 4
	for _, e := range entries {
		digits, _, ok := strings.Cut(e.Name(), "_")
		if !ok || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		v, err := strconv.ParseInt(digits, 10, 64)
		if err != nil {
			continue
		}
		highest = max(highest, v)
		width = max(width, len(digits))
	}
	return highest + 1, width, nil
}

func writeNew(p, body, cmd string) error {
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("migrate: %s: %s already exists", cmd, p)
	}
	if err != nil {
		return fmt.Errorf("migrate: %s: %w", cmd, err)
	}
	if _, err := f.WriteString(body); err != nil {
		_ = f.Close()
		return fmt.Errorf("migrate: %s: write %s: %w", cmd, p, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("migrate: %s: close %s: %w", cmd, p, err)
	}
	return nil
}
