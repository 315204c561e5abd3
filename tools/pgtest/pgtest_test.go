package pgtest

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func TestDatabaseName(t *testing.T) {
	t.Parallel()
	c := &Cluster{prefix: "normt_123_abcdef"}
	tests := []struct{ test, wantSlug string }{
		{"TestOrders", "testorders"},
		{"TestOrders/sub_case#01", "testorders_sub_case_01"},
		{"TestÜber Größe", "test_ber_gr_e"},
		{strings.Repeat("TestVeryLongName", 10), ""},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		name := c.databaseName(tt.test)
		if len(name) > 63 {
			t.Errorf("databaseName(%q) = %q: %d bytes, over PostgreSQL's 63", tt.test, name, len(name))
		}
		if !strings.HasPrefix(name, c.prefix+"_") {
			t.Errorf("databaseName(%q) = %q: missing cluster prefix", tt.test, name)
		}
		if tt.wantSlug != "" && !strings.Contains(name, "_"+tt.wantSlug+"_") {
			t.Errorf("databaseName(%q) = %q, want slug %q", tt.test, name, tt.wantSlug)
		}
		if seen[name] {
			t.Errorf("databaseName(%q) = %q repeats an earlier name", tt.test, name)
		}
		seen[name] = true
	}
	if a, b := c.databaseName("TestSame"), c.databaseName("TestSame"); a == b {
		t.Errorf("same test name gave the same database twice: %q", a)
	}
}

func TestWithDatabase(t *testing.T) {
	t.Parallel()
	tests := []struct{ dsn, db, want string }{
		{"postgres://u:p%20w@h:5/old?sslmode=disable", "new", "postgres://u:p%20w@h:5/new?sslmode=disable"},
		{"postgresql://h/old", "x y", "postgresql://h/x%20y"},
		{"host=h dbname=old", "new", "host=h dbname=old dbname='new'"},
		{"host=h", "it's", `host=h dbname='it\'s'`},
	}
	for _, tt := range tests {
		got := withDatabase(tt.dsn, tt.db)
		if got != tt.want {
			t.Errorf("withDatabase(%q, %q) = %q, want %q", tt.dsn, tt.db, got, tt.want)
		}
		cfg, err := pgx.ParseConfig(got)
		if err != nil {
			t.Fatalf("withDatabase(%q, %q) = %q does not parse: %v", tt.dsn, tt.db, got, err)
		}
		if cfg.Database != tt.db {
			t.Errorf("withDatabase(%q, %q) parses to database %q", tt.dsn, tt.db, cfg.Database)
		}
	}
}

// The tests below change the environment, so they do not run in parallel.

func TestBadDatabaseURL(t *testing.T) {
	tests := []struct{ name, url, want string }{
		{"unparsable", "postgres://user:s3cret@host:notaport/db", "not a valid PostgreSQL URL"},
		{"unreachable", "postgres://user:s3cret@127.0.0.1:1/db?connect_timeout=2", "cannot connect to NORM_TEST_DATABASE_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("NORM_TEST_DATABASE_URL", tt.url)
			c, err := Start(testCtx(t), Options{})
			if err == nil {
				_ = c.Close()
				t.Fatal("Start succeeded with a bad NORM_TEST_DATABASE_URL")
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.want) {
				t.Errorf("error %q does not say %q", msg, tt.want)
			}
			if strings.Contains(msg, "s3cret") {
				t.Errorf("error %q reveals the password", msg)
			}
			if strings.Contains(strings.TrimSpace(msg), "\n") {
				t.Errorf("error is not one line: %q", msg)
			}
		})
	}
}

func TestNoServerAnywhere(t *testing.T) {
	t.Setenv("NORM_TEST_DATABASE_URL", "")
	d := discovery{
		binDirs: func(context.Context) []string { return []string{t.TempDir(), "/nonexistent"} },
		docker:  func(context.Context) bool { return false },
	}
	_, err := d.start(testCtx(t), Options{})
	if !errors.Is(err, ErrNoServer) {
		t.Fatalf("got %v, want ErrNoServer", err)
	}
	for _, hint := range []string{"NORM_TEST_DATABASE_URL", "apt-get install postgresql", "NORM_PG_BINDIR", "Docker"} {
		if !strings.Contains(err.Error(), hint) {
			t.Errorf("error does not mention %q: %v", hint, err)
		}
	}
}

func TestPortInUse(t *testing.T) {
	t.Setenv("NORM_TEST_DATABASE_URL", "")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	c, err := Start(testCtx(t), Options{Port: port})
	if err == nil {
		_ = c.Close()
		t.Fatalf("Start on busy port %d succeeded", port)
	}
	want := "port " + strconv.Itoa(port) + " on 127.0.0.1 is already in use"
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not say %q", err, want)
	}
}

func TestPersistentDirKeepsData(t *testing.T) {
	t.Setenv("NORM_TEST_DATABASE_URL", "")
	parent := t.TempDir()
	dir := filepath.Join(parent, "pgdata")
	ctx := testCtx(t)
	for _, d := range []string{parent, filepath.Dir(parent)} { // t.TempDir is closed to the postgres user
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	c, err := Start(ctx, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	dsn := c.DSN()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')"); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "primary", "PG_VERSION")); err != nil {
		t.Fatalf("Close removed the persistent data directory: %v", err)
	}
	c2, err := Start(ctx, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c2.Close() })
	if c2.DSN() != dsn {
		t.Errorf("second start has DSN %q, want the first one %q", c2.DSN(), dsn)
	}
	conn2, err := pgx.Connect(ctx, c2.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer conn2.Close(ctx)
	var v string
	if err := conn2.QueryRow(ctx, "SELECT v FROM kept").Scan(&v); err != nil || v != "still here" {
		t.Errorf("data after restart: %q, %v", v, err)
	}
}

func TestUnreachableDirIsExplained(t *testing.T) {
	t.Setenv("NORM_TEST_DATABASE_URL", "")
	if os.Geteuid() != 0 {
		t.Skip("only root runs the server as another OS user")
	}
	parent := t.TempDir() // mode 0700, owned by root
	_, err := Start(testCtx(t), Options{Dir: filepath.Join(parent, "pgdata")})
	if err == nil || !strings.Contains(err.Error(), "cannot enter "+filepath.Dir(parent)) || !strings.Contains(err.Error(), "chmod o+x") {
		t.Fatalf("got %v, want an error naming %s and the fix", err, filepath.Dir(parent))
	}
}

// TestWatchdogCleansUpAfterKill starts a cluster in a child process that
// freezes its servers and then dies by SIGKILL, and checks that the
// servers and the directory are gone shortly after.
func TestWatchdogCleansUpAfterKill(t *testing.T) {
	if os.Getenv("PGTEST_WATCHDOG_CHILD") == "1" {
		c, err := Start(context.Background(), Options{Replica: true})
		if err != nil {
			t.Fatal(err)
		}
		// Frozen servers ignore SIGQUIT: the watchdog must thaw them.
		if err := c.FreezePrimary(context.Background()); err != nil {
			t.Fatal(err)
		}
		if err := c.FreezeReplica(context.Background()); err != nil {
			t.Fatal(err)
		}
		pid, _ := os.ReadFile(filepath.Join(c.local.primary.dataDir, "postmaster.pid"))
		os.Stdout.WriteString("ROOT=" + c.local.root + "\nPID=" + strings.SplitN(string(pid), "\n", 2)[0] + "\n")
		_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {}
	}
	t.Setenv("NORM_TEST_DATABASE_URL", "")
	cmd := exec.CommandContext(testCtx(t), os.Args[0], "-test.run=^TestWatchdogCleansUpAfterKill$")
	cmd.Env = append(os.Environ(), "PGTEST_WATCHDOG_CHILD=1")
	out, _ := cmd.Output() // the child dies by SIGKILL on purpose
	var root string
	var pid int
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(line, "ROOT="); ok {
			root = v
		}
		if v, ok := strings.CutPrefix(line, "PID="); ok {
			pid, _ = strconv.Atoi(v)
		}
	}
	if root == "" || pid == 0 {
		t.Fatalf("child did not report its cluster; output:\n%s", out)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, statErr := os.Stat(root)
		alive := syscall.Kill(pid, 0) == nil
		if errors.Is(statErr, os.ErrNotExist) && !alive {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("20s after the test process died: directory exists=%v, postmaster %d alive=%v", statErr == nil, pid, alive)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
