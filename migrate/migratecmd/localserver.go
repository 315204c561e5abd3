package migratecmd

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// When `diff` has neither --dev-url nor Options.DevDatabase, it starts a
// throwaway PostgreSQL server from the local binaries: initdb into a
// temporary directory, the server listening on a Unix socket in that
// directory only (no TCP port, so nothing to collide with), fsync off,
// stopped and removed when diff ends. As root, initdb and the server run
// as the postgres OS user, since they refuse root. This is a few dozen
// lines rather than tools/pgtest, whose module brings testcontainers-go
// into the build of every service that links migratecmd.

// errNoLocalServer says that no PostgreSQL server binaries were found.
var errNoLocalServer = errors.New("no PostgreSQL server binaries (initdb, pg_ctl, postgres) found in $NORM_PG_BINDIR, `pg_config --bindir`, PATH or /usr/lib/postgresql/*/bin")

// localServer is a running throwaway server.
type localServer struct {
	bin, root string
	run       osUser
}

// startLocalServer starts a throwaway server and returns its URL and a
// function that stops it and removes its files.
func startLocalServer(ctx context.Context) (string, func(), error) {
	bin := findServerBinaries(ctx)
	if bin == "" {
		return "", nil, errNoLocalServer
	}
	run, err := serverOSUser()
	if err != nil {
		return "", nil, err
	}
	root, err := os.MkdirTemp("", "norm-dev-")
	if err != nil {
		return "", nil, err
	}
	ls := &localServer{bin: bin, root: root, run: run}
	if err := ls.start(ctx); err != nil {
		ls.stop(ctx)
		return "", nil, err
	}
	u := url.URL{Scheme: "postgres", User: url.User("postgres"), Path: "/postgres",
		RawQuery: url.Values{"host": {root}, "port": {"5432"}, "sslmode": {"disable"}}.Encode()}
	return u.String(), func() { ls.stop(ctx) }, nil
}

func (ls *localServer) start(ctx context.Context) error {
	if err := ls.run.own(ls.root); err != nil {
		return err
	}
	data := filepath.Join(ls.root, "data")
	if out, err := ls.command(ctx, "initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync").CombinedOutput(); err != nil {
		return fmt.Errorf("initdb: %w: %s", err, strings.TrimSpace(string(out)))
	}
	opts := fmt.Sprintf("-c listen_addresses='' -c unix_socket_directories='%s' -p 5432 -c fsync=off -c synchronous_commit=off -c full_page_writes=off", ls.root)
	cmd := ls.command(ctx, "pg_ctl", "-D", data, "-l", filepath.Join(ls.root, "server.log"), "-o", opts, "-w", "-t", "60", "start")
	if out, err := cmd.CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(ls.root, "server.log"))
		return fmt.Errorf("pg_ctl start: %w: %s %s", err, strings.TrimSpace(string(out)), strings.TrimSpace(string(log)))
	}
	return nil
}

// stop stops the server (immediate: its data is thrown away) and removes
// its directory, also when ctx was canceled (Ctrl-C).
func (ls *localServer) stop(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	data := filepath.Join(ls.root, "data")
	if _, err := os.Stat(filepath.Join(data, "postmaster.pid")); err == nil {
		_ = ls.command(ctx, "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop").Run()
	}
	_ = os.RemoveAll(ls.root)
}

func (ls *localServer) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, filepath.Join(ls.bin, name), args...)
	cmd.Dir = ls.root
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	ls.run.apply(cmd)
	return cmd
}

// findServerBinaries returns the first directory holding initdb, pg_ctl
// and postgres: $NORM_PG_BINDIR, `pg_config --bindir`, initdb's directory
// on PATH, /usr/lib/postgresql/<major>/bin (newest first),
// /usr/local/pgsql/bin; "" when none does.
func findServerBinaries(ctx context.Context) string {
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
	debian, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	major := func(dir string) int { n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir))); return n }
	sort.Slice(debian, func(i, j int) bool { return major(debian[i]) > major(debian[j]) })
	dirs = append(append(dirs, debian...), "/usr/local/pgsql/bin")
	for _, d := range dirs {
		ok := true
		for _, name := range []string{"initdb", "pg_ctl", "postgres"} {
			info, err := os.Stat(filepath.Join(d, name))
			ok = ok && err == nil && !info.IsDir() && info.Mode()&0o111 != 0
		}
		if ok {
			return d
		}
	}
	return ""
}
