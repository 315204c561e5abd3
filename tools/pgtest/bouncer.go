package pgtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// bouncer is PgBouncer in transaction pooling mode in front of the primary.
type bouncer struct {
	port    int
	dir     string
	logFile string
	cmd     *exec.Cmd
	exited  chan struct{}
}

// startBouncer writes PgBouncer's configuration and runs it in the
// foreground as the server user (PgBouncer refuses root). Clients log in
// with SCRAM; any role of the server can log in, because PgBouncer looks
// passwords up with auth_query as the superuser, whose own secret is in
// the auth file.
func (lc *localCluster) startBouncer(ctx context.Context) error {
	bin, err := findPgBouncer()
	if err != nil {
		return err
	}
	port, err := freePort(ctx)
	if err != nil {
		return err
	}
	b := &bouncer{port: port, dir: filepath.Join(lc.root, "pgbouncer"), exited: make(chan struct{})}
	b.logFile = filepath.Join(b.dir, "pgbouncer.log")
	if err := lc.writeBouncerConfig(b); err != nil {
		return err
	}
	lc.logf("starting PgBouncer (transaction pooling) on 127.0.0.1:%d", port)
	b.cmd = lc.user.command(b.dir, bin, filepath.Join(b.dir, "pgbouncer.ini"))
	logf, err := os.OpenFile(filepath.Join(b.dir, "stdout.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("pgtest: PgBouncer log: %w", err)
	}
	defer logf.Close()
	b.cmd.Stdout, b.cmd.Stderr = logf, logf
	if err := b.cmd.Start(); err != nil {
		return fmt.Errorf("pgtest: start PgBouncer: %w", err)
	}
	go func() { _ = b.cmd.Wait(); close(b.exited) }()
	lc.bouncer = b
	if err := os.WriteFile(filepath.Join(lc.root, "pgbouncer.pid"), []byte(strconv.Itoa(b.cmd.Process.Pid)), 0o600); err != nil {
		return fmt.Errorf("pgtest: record PgBouncer pid: %w", err)
	}
	return lc.waitBouncer(ctx, b)
}

func (lc *localCluster) writeBouncerConfig(b *bouncer) error {
	if err := os.MkdirAll(b.dir, 0o700); err != nil {
		return fmt.Errorf("pgtest: PgBouncer directory: %w", err)
	}
	ini := strings.Join([]string{
		"[databases]",
		"* = host=" + lc.root + " port=" + strconv.Itoa(lc.primary.port),
		"",
		"[pgbouncer]",
		"listen_addr = 127.0.0.1",
		"listen_port = " + strconv.Itoa(b.port),
		"unix_socket_dir = " + b.dir,
		"auth_type = scram-sha-256",
		"auth_file = " + filepath.Join(b.dir, "userlist.txt"),
		"auth_user = " + superuser,
		"pool_mode = transaction",
		"max_client_conn = 1000",
		"default_pool_size = 20",
		"ignore_startup_parameters = extra_float_digits",
		"admin_users = " + superuser,
		"logfile = " + b.logFile,
		"",
	}, "\n")
	users := fmt.Sprintf("%q %q\n", superuser, lc.password)
	for name, body := range map[string]string{"pgbouncer.ini": ini, "userlist.txt": users} {
		path := filepath.Join(b.dir, name)
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			return fmt.Errorf("pgtest: write %s: %w", name, err)
		}
		if err := lc.user.own(path); err != nil {
			return err
		}
	}
	return lc.user.own(b.dir)
}

// waitBouncer connects through PgBouncer until a query answers.
func (lc *localCluster) waitBouncer(ctx context.Context, b *bouncer) error {
	cfg, err := pgx.ParseConfig(lc.bouncerURL("postgres"))
	if err != nil {
		return fmt.Errorf("pgtest: PgBouncer DSN: %w", err)
	}
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	deadline := time.Now().Add(startTimeout)
	for {
		conn, err := pgx.ConnectConfig(ctx, cfg)
		if err == nil {
			var one int
			err = conn.QueryRow(ctx, "SELECT 1").Scan(&one)
			conn.Close(context.WithoutCancel(ctx))
			if err == nil {
				return nil
			}
		}
		select {
		case <-b.exited:
			return fmt.Errorf("pgtest: PgBouncer exited at start:\n%s", readFrom(b.logFile, 0)+readFrom(filepath.Join(b.dir, "stdout.log"), 0))
		case <-ctx.Done():
			return fmt.Errorf("pgtest: wait for PgBouncer: %w (last error: %w)", ctx.Err(), err)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("pgtest: PgBouncer did not answer within %s: %w", startTimeout, err)
		}
	}
}

// stop asks PgBouncer to shut down (SIGINT: safe shutdown) and kills it
// if it has not gone within a few seconds.
func (b *bouncer) stop() error {
	if b.cmd == nil || b.cmd.Process == nil {
		return nil
	}
	select {
	case <-b.exited:
		return nil
	default:
	}
	if err := b.cmd.Process.Signal(syscall.SIGINT); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("pgtest: stop PgBouncer: %w", err)
	}
	select {
	case <-b.exited:
	case <-time.After(5 * time.Second):
		_ = b.cmd.Process.Kill()
		<-b.exited
	}
	return nil
}
