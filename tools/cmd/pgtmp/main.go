// Command pgtmp keeps a persistent local PostgreSQL cluster for
// development, made by tools/pgtest from the machine's server binaries.
//
//	pgtmp up   [-dir .pgdata] [-port 0]   start (creating it on first use) and print the DSN
//	pgtmp dsn  [-dir .pgdata]             print the DSN of the running cluster
//	pgtmp down [-dir .pgdata]             stop it; the data stays in the directory
//
// make db-up and make db-down run it with the repository's .pgdata
// directory (git-ignored).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/normkit/norm/tools/pgtest"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "pgtmp:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: pgtmp up|dsn|down [-dir DIR] [-port N]")
	}
	fs := flag.NewFlagSet("pgtmp "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", ".pgdata", "cluster directory (created on first use)")
	port := fs.Int("port", 0, "TCP port on 127.0.0.1 (0: the one used last time, else a free one)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, 2*time.Minute)
	defer cancelT()
	switch args[0] {
	case "up", "dsn":
		progress := stderr
		if args[0] == "dsn" {
			progress = io.Discard
		}
		c, err := pgtest.Start(ctx, pgtest.Options{Dir: *dir, Port: *port, Progress: progress})
		if err != nil {
			return err
		}
		c.Detach()
		fmt.Fprintln(stdout, c.DSN())
		return nil
	case "down":
		return pgtest.StopDir(ctx, *dir)
	}
	return fmt.Errorf("unknown command %q: want up, dsn or down", args[0])
}
