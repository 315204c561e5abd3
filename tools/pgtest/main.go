package pgtest

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"testing"
	"time"
)

// RunMain starts a cluster with opts for a test package, stores it in
// *cluster, runs the tests and closes the cluster. Use it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.RunMain(m, pgtest.Options{}, &cluster)) }
//
// When no server can be had the tests fail (exit code 1) with the reason;
// they are never silently skipped. On SIGINT or SIGTERM the cluster is
// closed before the process exits.
func RunMain(m *testing.M, opts Options, cluster **Cluster) int {
	if !flag.Parsed() {
		flag.Parse()
	}
	if opts.Progress == nil && testing.Verbose() {
		opts.Progress = os.Stderr
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	c, err := Start(ctx, opts)
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	*cluster = c
	stop := closeOnSignal(c)
	defer stop()
	code := m.Run()
	if err := c.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

// closeOnSignal closes c and exits when the process is interrupted, so
// Ctrl-C during a test run leaves no server behind.
func closeOnSignal(c *Cluster) (stop func()) {
	sig := make(chan os.Signal, 1)
	done := make(chan struct{})
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case s := <-sig:
			fmt.Fprintf(os.Stderr, "pgtest: %v: stopping PostgreSQL\n", s)
			_ = c.Close()
			os.Exit(130)
		case <-done:
		}
	}()
	return func() { signal.Stop(sig); close(done) }
}
