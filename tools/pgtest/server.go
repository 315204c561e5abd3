package pgtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// server is one postgres instance of a local cluster.
type server struct {
	name    string // "primary" or "replica"
	dataDir string
	logFile string
	port    int
	running bool
	frozen  []int // pids stopped by freeze, the postmaster first
}

// startServer starts s with pg_ctl and waits until it accepts connections.
// When retryPort is set and the port was taken between choosing and
// binding it, it tries again on another free port.
func (lc *localCluster) startServer(ctx context.Context, s *server, retryPort bool) error {
	for attempt := 1; ; attempt++ {
		logStart := fileSize(s.logFile)
		out, err := lc.run(ctx, filepath.Join(lc.bin, "pg_ctl"), "start", "-w",
			"-t", strconv.Itoa(int(startTimeout/time.Second)),
			"-D", s.dataDir, "-l", s.logFile, "-o", "-p "+strconv.Itoa(s.port))
		if err == nil {
			s.running = true
			return nil
		}
		logTail := readFrom(s.logFile, logStart)
		if retryPort && attempt < 3 && strings.Contains(logTail, "could not bind") {
			if s.port, err = freePort(ctx); err != nil {
				return err
			}
			continue
		}
		if strings.Contains(logTail, "could not bind") {
			return fmt.Errorf("pgtest: %s cannot listen on 127.0.0.1:%d (port in use?)\n%s", s.name, s.port, logTail)
		}
		return fmt.Errorf("pgtest: start %s: %w\n%s%s", s.name, err, out, logTail)
	}
}

// stopServer stops s with pg_ctl in the given shutdown mode ("fast" or
// "immediate").
func (lc *localCluster) stopServer(ctx context.Context, s *server, mode string) error {
	if err := lc.thaw(s); err != nil { // a stopped process cannot shut down
		return err
	}
	if _, err := os.Stat(filepath.Join(s.dataDir, "postmaster.pid")); errors.Is(err, os.ErrNotExist) {
		s.running = false
		return nil
	}
	out, err := lc.run(ctx, filepath.Join(lc.bin, "pg_ctl"), "stop", "-w", "-m", mode, "-D", s.dataDir)
	if err != nil {
		return fmt.Errorf("pgtest: stop %s: %w\n%s", s.name, err, out)
	}
	s.running = false
	return nil
}

// run runs a server tool as the server user and returns its combined
// output. Output goes to a buffer through a pipe only for tools that do
// not leave a daemon holding it: pg_ctl redirects the server's output to
// its log file.
func (lc *localCluster) run(ctx context.Context, name string, args ...string) (string, error) {
	cmd := lc.user.command(lc.root, name, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("run %s: %w", filepath.Base(name), err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return out.String(), err
	case <-ctx.Done():
		_ = cmd.Process.Kill()
		waitErr := <-done
		return out.String(), fmt.Errorf("run %s: %w", filepath.Base(name), errors.Join(ctx.Err(), waitErr))
	}
}

// freePort asks the kernel for a free TCP port on 127.0.0.1. Another
// process may take it before the server binds it; startServer retries.
func freePort(ctx context.Context) (int, error) {
	var lc net.ListenConfig
	l, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pgtest: find a free port on 127.0.0.1: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func portFree(ctx context.Context, port int) bool {
	var lc net.ListenConfig
	l, err := lc.Listen(ctx, "tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return false
	}
	_ = l.Close()
	return true
}

func fileSize(path string) int64 {
	info, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return info.Size()
}

// readFrom returns the file's content from offset on, at most its last
// 64 KiB.
func readFrom(path string, offset int64) string {
	const maxTail = 64 << 10
	b, err := os.ReadFile(path)
	if err != nil || int64(len(b)) <= offset {
		return ""
	}
	b = b[offset:]
	if len(b) > maxTail {
		b = b[len(b)-maxTail:]
	}
	return string(b)
}
