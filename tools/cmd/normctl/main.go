// Command normctl is norm's command-line tool. Today it runs SQL-file
// migrations:
//
//	normctl migrate up|down|redo|status|baseline|forget|create NAME [flags]
//
// with --dsn (or DATABASE_URL), --dir (default migrations), --json and
// --dry-run, and draws a database's schema as a Mermaid erDiagram:
//
//	normctl migrate erd --dsn postgres://… [--schema public,billing]
//
// Auto-migrations from Go models (plan, apply, diff) need the models
// compiled in: build a cmd/migrate of your own with
// github.com/normkit/norm/migrate/migratecmd. Run `normctl migrate -h`
// for every flag. Exit status: 0 success, 1 failure, 2 when
// `plan --check` finds unsafe or destructive steps, 3 when `status` finds
// a version that is dirty, has drift or is missing (pending versions
// alone exit 0); see migratecmd.ExitNeedsAttention.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/normkit/norm/migrate/migratecmd"
)

func main() {
	os.Exit(run())
}

func run() int {
	if len(os.Args) < 2 || os.Args[1] != "migrate" {
		_, _ = fmt.Fprintln(os.Stderr, "usage: normctl migrate COMMAND [flags]   (normctl migrate -h for commands)")
		return migratecmd.ExitError
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return migratecmd.Run(ctx, os.Args[2:], os.Stdout, os.Stderr, migratecmd.Options{})
}
