// Package redistest starts a throwaway redis-server for tests, the way
// package pgtest starts PostgreSQL: Debian's redis-server binary (or the
// one NORM_REDIS_SERVER names), on a free port of 127.0.0.1, with its
// files in a temporary directory, no persistence, and torn down by Close
// (or by the kernel when the test process dies: the server gets SIGKILL
// with its parent on Linux). It never runs Redis as a daemon.
//
//	func TestCache(t *testing.T) {
//		srv := redistest.New(t)            // stopped at cleanup
//		rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
//		// ...
//	}
package redistest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is a running redis-server.
type Server struct {
	addr string
	dir  string
	cmd  *exec.Cmd
	exit chan error

	once sync.Once
	err  error
}

// ErrNoServer is returned by Start when no redis-server binary is found.
var ErrNoServer = errors.New("redistest: no redis-server binary (install Debian's redis-server package, or set NORM_REDIS_SERVER)")

// Binary returns the path of the redis-server to run: $NORM_REDIS_SERVER,
// redis-server on PATH, or /usr/bin/redis-server; ErrNoServer otherwise.
func Binary() (string, error) {
	if p := os.Getenv("NORM_REDIS_SERVER"); p != "" {
		return p, nil
	}
	if p, err := exec.LookPath("redis-server"); err == nil {
		return p, nil
	}
	for _, p := range []string{"/usr/bin/redis-server", "/usr/sbin/redis-server", "/usr/local/bin/redis-server"} {
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	return "", ErrNoServer
}

// Start starts a redis-server and waits until it answers PING. Call Close
// to stop it and remove its directory.
func Start(ctx context.Context) (*Server, error) {
	bin, err := Binary()
	if err != nil {
		return nil, err
	}
	var last error
	for range 3 { // the free port may be taken between probe and bind
		s, err := start(ctx, bin)
		if err == nil {
			return s, nil
		}
		last = err
	}
	return nil, last
}

func start(ctx context.Context, bin string) (*Server, error) {
	port, err := freePort(ctx)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "norm-redistest-")
	if err != nil {
		return nil, fmt.Errorf("redistest: %w", err)
	}
	s := &Server{addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), dir: dir, exit: make(chan error, 1)}
	// The server outlives Start's ctx: Close stops it, not ctx.
	s.cmd = exec.CommandContext(context.WithoutCancel(ctx), bin,
		"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
		"--save", "", "--appendonly", "no", "--daemonize", "no",
		"--logfile", filepath.Join(dir, "redis.log"))
	s.cmd.SysProcAttr = procAttr()
	if err := s.cmd.Start(); err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("redistest: starting %s: %w", bin, err)
	}
	go func() { s.exit <- s.cmd.Wait() }()
	if err := s.waitReady(ctx); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// freePort asks the kernel for a free loopback port.
func freePort(ctx context.Context) (int, error) {
	var lc net.ListenConfig
	l, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("redistest: finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitReady polls PING until +PONG, the server exits, or 10s pass.
func (s *Server) waitReady(ctx context.Context) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		if err := s.Ping(ctx); err == nil {
			return nil
		}
		select {
		case err := <-s.exit:
			s.exit <- err
			return fmt.Errorf("redistest: redis-server exited before answering: %w; log: %s", err, s.Log())
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("redistest: redis-server on %s did not answer in 10s; log: %s", s.addr, s.Log())
		}
	}
}

// Ping sends PING over a fresh connection and checks for +PONG.
func (s *Server) Ping(ctx context.Context) error {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", s.addr)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if strings.TrimSpace(line) != "+PONG" {
		return fmt.Errorf("redistest: PING answered %q", strings.TrimSpace(line))
	}
	return nil
}

// Addr returns the server's host:port on 127.0.0.1.
func (s *Server) Addr() string { return s.addr }

// Log returns the server's log file so far (for failure messages).
func (s *Server) Log() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "redis.log"))
	return string(b)
}

// Close stops the server (SIGKILL: it keeps nothing worth a clean
// shutdown) and removes its directory. Calling it again returns the first
// result; tests may call it early to see how clients cope with a dead
// server.
func (s *Server) Close() error {
	s.once.Do(func() {
		if s.cmd.Process != nil {
			_ = s.cmd.Process.Kill()
			if err := <-s.exit; err != nil {
				// Killed: the exit status says nothing worth reporting.
				_ = err
			}
		}
		s.err = os.RemoveAll(s.dir)
	})
	return s.err
}

// New starts a server for t and stops it at t's cleanup; it fails t when
// none can be started (a missing binary is a failure, not a skip: CI
// installs redis-server).
func New(t testing.TB) *Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}
