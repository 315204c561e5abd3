package pgtest

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// errNoBinaries means no PostgreSQL server binaries were found locally.
var errNoBinaries = errors.New("no PostgreSQL server binaries found")

// discovery says where to look for servers. Tests replace it to simulate
// a machine without PostgreSQL.
type discovery struct {
	binDirs func(context.Context) []string
	docker  func(context.Context) bool
}

var defaultDiscovery = discovery{binDirs: binDirCandidates, docker: dockerAnswers}

// findBinDir returns the directory holding initdb, pg_ctl and postgres,
// searching in the documented order.
func (d discovery) findBinDir(ctx context.Context) (string, error) {
	for _, dir := range d.binDirs(ctx) {
		if hasServerBinaries(dir) {
			return dir, nil
		}
	}
	return "", errNoBinaries
}

func binDirCandidates(ctx context.Context) []string {
	var dirs []string
	if d := os.Getenv("NORM_PG_BINDIR"); d != "" {
		dirs = append(dirs, d)
	}
	if out, err := exec.CommandContext(ctx, "pg_config", "--bindir").Output(); err == nil {
		dirs = append(dirs, strings.TrimSpace(string(out)))
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		dirs = append(dirs, filepath.Dir(p))
	}
	dirs = append(dirs, debianBinDirs()...)
	return append(dirs, "/usr/local/pgsql/bin")
}

// debianBinDirs lists /usr/lib/postgresql/<major>/bin, newest major first.
func debianBinDirs() []string {
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	major := func(dir string) int {
		n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
		return n
	}
	sort.Slice(matches, func(i, j int) bool { return major(matches[i]) > major(matches[j]) })
	return matches
}

// hasServerBinaries reports whether dir holds what a local cluster needs.
// pg_basebackup is not among them: without it a replica is copied with
// the low-level backup API (see copyBackup).
func hasServerBinaries(dir string) bool {
	for _, name := range []string{"initdb", "pg_ctl", "postgres"} {
		info, err := os.Stat(filepath.Join(dir, name))
		if err != nil || info.IsDir() || info.Mode()&0o111 == 0 {
			return false
		}
	}
	return true
}

// findPgBouncer returns the pgbouncer binary from PATH or the usual
// Debian location, which is not on a normal user's PATH.
func findPgBouncer() (string, error) {
	if p, err := exec.LookPath("pgbouncer"); err == nil {
		return p, nil
	}
	for _, p := range []string{"/usr/sbin/pgbouncer", "/usr/local/bin/pgbouncer", "/usr/local/sbin/pgbouncer"} {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", errors.New("pgtest: PgBouncer requested but the pgbouncer binary was not found: install it (Debian/Ubuntu: apt-get install pgbouncer)")
}
