package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

const (
	startTimeout = 60 * time.Second
	closeTimeout = 30 * time.Second
	superuser    = "postgres"
)

// localCluster is a cluster run from local binaries in one directory:
// primary/ and replica/ data directories, their logs, the Unix sockets and
// PgBouncer's files.
type localCluster struct {
	bin      string
	user     runAs
	root     string
	temp     bool // root is ours to delete
	password string
	progress io.Writer

	primary  *server
	replica  *server
	bouncer  *bouncer
	watchdog *watchdog

	syncReplica bool   // Options.SynchronousReplica
	promoted    bool   // the replica was promoted and has no standby role yet
	streamCut   string // the replica's primary_conninfo before CutReplicaStream; "" when not cut
}

func startLocal(ctx context.Context, opts Options, bin string) (c *Cluster, err error) {
	lc, err := newLocalCluster(opts, bin)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			_ = lc.close(context.WithoutCancel(ctx))
		}
	}()
	if err := lc.startPrimary(ctx, opts); err != nil {
		return nil, err
	}
	if opts.SynchronousReplica && !opts.Replica {
		return nil, fmt.Errorf("pgtest: Options.SynchronousReplica needs Options.Replica")
	}
	if opts.Replica {
		if err := lc.startReplica(ctx); err != nil {
			return nil, err
		}
	}
	if opts.SynchronousReplica {
		lc.syncReplica = true
		if err := lc.makeSynchronous(ctx); err != nil {
			return nil, err
		}
	}
	if opts.PgBouncer {
		if err := lc.startBouncer(ctx); err != nil {
			return nil, err
		}
	}
	return &Cluster{mode: ModeLocal, local: lc}, nil
}

func newLocalCluster(opts Options, bin string) (*localCluster, error) {
	user, err := serverUser()
	if err != nil {
		return nil, err
	}
	lc := &localCluster{bin: bin, user: user, progress: opts.Progress}
	if lc.progress == nil {
		lc.progress = io.Discard
	}
	if err := lc.makeRoot(opts.Dir); err != nil {
		return nil, err
	}
	if lc.temp {
		lc.watchdog, err = startWatchdog(lc.root)
		if err != nil {
			_ = os.RemoveAll(lc.root)
			return nil, err
		}
	}
	return lc, nil
}

func (lc *localCluster) makeRoot(dir string) error {
	if dir == "" {
		root, err := os.MkdirTemp("", "norm-pgtest-")
		if err != nil {
			return fmt.Errorf("pgtest: create temporary directory: %w", err)
		}
		lc.root, lc.temp = root, true
	} else {
		root, err := filepath.Abs(dir)
		if err != nil {
			return fmt.Errorf("pgtest: directory %q: %w", dir, err)
		}
		if err := os.MkdirAll(root, 0o700); err != nil {
			return fmt.Errorf("pgtest: create directory %s: %w", root, err)
		}
		lc.root = root
	}
	if err := lc.user.checkReachable(lc.root); err != nil {
		if lc.temp {
			_ = os.RemoveAll(lc.root)
		}
		return err
	}
	if err := os.Chmod(lc.root, 0o700); err != nil {
		return fmt.Errorf("pgtest: chmod %s: %w", lc.root, err)
	}
	return lc.user.own(lc.root)
}

func (lc *localCluster) logf(format string, args ...any) {
	fmt.Fprintf(lc.progress, "pgtest: "+format+"\n", args...)
}

// startPrimary creates the primary's data directory on first use and
// starts it.
func (lc *localCluster) startPrimary(ctx context.Context, opts Options) error {
	lc.primary = &server{name: "primary", dataDir: filepath.Join(lc.root, "primary"), logFile: filepath.Join(lc.root, "primary.log")}
	pw, err := lc.loadOrCreatePassword()
	if err != nil {
		return err
	}
	lc.password = pw
	if !lc.temp && lc.isRunning(ctx, lc.primary) {
		return lc.adoptRunning(lc.primary)
	}
	port, err := lc.choosePort(ctx, opts.Port)
	if err != nil {
		return err
	}
	lc.primary.port = port
	if _, err := os.Stat(filepath.Join(lc.primary.dataDir, "PG_VERSION")); errors.Is(err, os.ErrNotExist) {
		if err := lc.initdb(ctx, opts.Settings); err != nil {
			return err
		}
	}
	lc.logf("starting primary on 127.0.0.1:%d", port)
	return lc.startServer(ctx, lc.primary, opts.Port == 0)
}

// choosePort returns the port to start the primary on: the one asked for
// (checked to be free), the one a persistent directory used last time, or
// a free one.
func (lc *localCluster) choosePort(ctx context.Context, want int) (int, error) {
	if want != 0 {
		if !portFree(ctx, want) {
			return 0, fmt.Errorf("pgtest: port %d on 127.0.0.1 is already in use: free it, choose another port, or leave Options.Port zero to pick a free one", want)
		}
		return want, lc.recordPort(want)
	}
	portFile := filepath.Join(lc.root, "port")
	if b, err := os.ReadFile(portFile); err == nil && !lc.temp {
		if p, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && portFree(ctx, p) {
			return p, nil
		}
	}
	p, err := freePort(ctx)
	if err != nil {
		return 0, err
	}
	return p, lc.recordPort(p)
}

func (lc *localCluster) recordPort(p int) error {
	if err := os.WriteFile(filepath.Join(lc.root, "port"), []byte(strconv.Itoa(p)+"\n"), 0o600); err != nil {
		return fmt.Errorf("pgtest: record port: %w", err)
	}
	return nil
}

// loadOrCreatePassword returns the superuser password, kept in the
// cluster directory so a persistent cluster keeps its DSN across restarts.
func (lc *localCluster) loadOrCreatePassword() (string, error) {
	path := filepath.Join(lc.root, "password")
	if b, err := os.ReadFile(path); err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	pw := hex.EncodeToString(randomBytes(12))
	if err := os.WriteFile(path, []byte(pw+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("pgtest: write password file: %w", err)
	}
	return pw, lc.user.own(path)
}

func (lc *localCluster) initdb(ctx context.Context, settings map[string]string) error {
	lc.logf("initdb %s", lc.primary.dataDir)
	pwFile := filepath.Join(lc.root, "password")
	out, err := lc.run(ctx, filepath.Join(lc.bin, "initdb"),
		"-D", lc.primary.dataDir, "-U", superuser, "--pwfile", pwFile,
		"--auth-local=trust", "--auth-host=scram-sha-256",
		"-E", "UTF8", "--locale=C", "--no-sync") // no --no-instructions: 13 lacks it
	if err != nil {
		return fmt.Errorf("pgtest: initdb failed: %w\n%s", err, out)
	}
	return lc.writeConfig(settings)
}

// writeConfig appends the test settings to postgresql.conf. The port is
// not among them: it is given on the command line, so a persistent
// cluster can move to another port when its old one is taken.
func (lc *localCluster) writeConfig(extra map[string]string) error {
	settings := []string{
		"listen_addresses = '127.0.0.1'",
		"unix_socket_directories = " + confQuote(lc.root),
		"fsync = off",
		"synchronous_commit = off",
		"full_page_writes = off",
		"max_connections = 300",
		"shared_buffers = 128MB",
		"wal_level = replica",
		"max_wal_senders = 10",
		"wal_keep_size = '256MB'",
		"hot_standby = on",
		"log_line_prefix = '%m [%p] %q%u@%d '",
		"log_min_duration_statement = -1",
		"timezone = 'UTC'",
		"wal_writer_delay = 10ms",
		"wal_retrieve_retry_interval = 100ms",
	}
	for k, v := range extra {
		settings = append(settings, k+" = "+confQuote(v))
	}
	f, err := os.OpenFile(filepath.Join(lc.primary.dataDir, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("pgtest: open postgresql.conf: %w", err)
	}
	_, werr := f.WriteString("\n# pgtest settings\n" + strings.Join(settings, "\n") + "\n")
	return errors.Join(werr, f.Close())
}

func confQuote(v string) string { return "'" + strings.ReplaceAll(v, "'", "''") + "'" }

func (lc *localCluster) primaryURL(db string) string {
	return lc.tcpURL(lc.primary.port, db)
}

func (lc *localCluster) replicaURL(db string) string {
	return lc.tcpURL(lc.replica.port, db)
}

func (lc *localCluster) bouncerURL(db string) string {
	return lc.tcpURL(lc.bouncer.port, db)
}

func (lc *localCluster) tcpURL(port int, db string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(superuser, lc.password),
		Host:     "127.0.0.1:" + strconv.Itoa(port),
		Path:     "/" + db,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// socketURL connects over the Unix socket, where authentication is trust.
func (lc *localCluster) socketURL(s *server, db string) string {
	q := url.Values{"host": {lc.root}, "port": {strconv.Itoa(s.port)}, "user": {superuser}, "sslmode": {"disable"}}
	return (&url.URL{Scheme: "postgres", Path: "/" + db, RawQuery: q.Encode()}).String()
}

// close stops every server, then removes a temporary directory.
func (lc *localCluster) close(ctx context.Context) error {
	var errs []error
	if lc.bouncer != nil {
		errs = append(errs, lc.bouncer.stop())
	}
	for _, s := range []*server{lc.replica, lc.primary} {
		if s != nil {
			errs = append(errs, lc.stopServer(ctx, s, "fast"))
		}
	}
	if lc.temp {
		if err := os.RemoveAll(lc.root); err != nil {
			errs = append(errs, fmt.Errorf("pgtest: remove %s: %w", lc.root, err))
		}
	}
	if lc.watchdog != nil {
		lc.watchdog.stop()
	}
	return errors.Join(errs...)
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return b
}

// isRunning reports whether a server already runs on s's data directory
// (a persistent cluster started by an earlier process).
func (lc *localCluster) isRunning(ctx context.Context, s *server) bool {
	if !exists(filepath.Join(s.dataDir, "postmaster.pid")) {
		return false
	}
	_, err := lc.run(ctx, filepath.Join(lc.bin, "pg_ctl"), "status", "-D", s.dataDir)
	return err == nil
}

// adoptRunning takes over a running persistent server: its port is the
// one recorded when it was started.
func (lc *localCluster) adoptRunning(s *server) error {
	b, err := os.ReadFile(filepath.Join(lc.root, "port"))
	if err != nil {
		return fmt.Errorf("pgtest: %s is running but its port is not recorded: %w", s.name, err)
	}
	if s.port, err = strconv.Atoi(strings.TrimSpace(string(b))); err != nil {
		return fmt.Errorf("pgtest: bad port file in %s: %w", lc.root, err)
	}
	s.running = true
	lc.logf("%s already running on 127.0.0.1:%d", s.name, s.port)
	return nil
}
