// Command demo is what make demo runs: it starts a throwaway PostgreSQL
// cluster with tools/pgtest, connects, shows what it is talking to, and
// removes everything again. Later steps grow it into a full service
// built on norm.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/normkit/norm/tools/pgtest"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run(out io.Writer) (err error) {
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
	}()
	for _, ep := range []struct{ name, dsn string }{{"primary", c.DSN()}, {"replica", c.ReplicaDSN()}} {
		if err := describe(ctx, out, ep.name, ep.dsn); err != nil {
			return err
		}
	}
	return nil
}

// describe connects to one endpoint and prints what it is.
func describe(ctx context.Context, out io.Writer, name, dsn string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", name, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var version string
	var standby bool
	if err := conn.QueryRow(ctx, "SELECT version(), pg_is_in_recovery()").Scan(&version, &standby); err != nil {
		return fmt.Errorf("query %s: %w", name, err)
	}
	role := "primary (read-write)"
	if standby {
		role = "hot standby (read-only)"
	}
	fmt.Fprintf(out, "%s: %s\n  %s\n", name, role, version)
	return nil
}
