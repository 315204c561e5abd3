// Command demo is what make demo runs: it starts a throwaway PostgreSQL
// primary and streaming replica with tools/pgtest, runs the notes service
// (tools/demo/notes) on a free loopback port, drives it with the scripted
// client, prints the narrated report and removes everything again. It
// exits non-zero when any step fails.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/normkit/norm/tools/demo/notes"
	"github.com/normkit/norm/tools/pgtest"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run(out io.Writer) (err error) {
	start := time.Now()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()

	fmt.Fprintln(out, "Starting a throwaway PostgreSQL cluster (primary + streaming replica)…")
	c, err := pgtest.Start(ctx, pgtest.Options{Replica: true, Progress: out})
	if err != nil {
		return err
	}
	defer func() {
		fmt.Fprintln(out, "Stopping PostgreSQL and removing its files…")
		if cerr := c.Close(); cerr != nil && err == nil {
			err = cerr
		}
		fmt.Fprintf(out, "Done in %s.\n", time.Since(start).Round(time.Millisecond))
	}()
	rep, err := notes.Run(ctx, notes.Config{PrimaryDSN: c.DSN(), ReplicaDSN: c.ReplicaDSN()})
	if rep.Addr == "" { // the service never started: nothing to report
		return err
	}
	if werr := notes.WriteReport(out, rep); werr != nil && err == nil {
		err = werr
	}
	return err
}
