package pgtest

import (
	"context"
	"io"

	"github.com/jackc/pgx/v5"
)

// Options configures Start. The zero value starts a lone primary on a free
// port in a temporary directory.
type Options struct {
	// Replica adds a streaming hot-standby replica of the primary, made with
	// pg_basebackup -R. Only local clusters have one.
	Replica bool

	// PgBouncer adds PgBouncer in transaction pooling mode in front of the
	// primary. Only local clusters have one; it needs the pgbouncer binary.
	PgBouncer bool

	// Template, when set, runs once against the template database that
	// every NewDatabase clones, so schema or extensions shared by all tests
	// of a package are created once.
	Template func(ctx context.Context, conn *pgx.Conn) error

	// Settings are extra postgresql.conf settings for the primary (and the
	// replica), written verbatim as name = 'value'.
	Settings map[string]string

	// Port is the primary's TCP port on 127.0.0.1. Zero picks a free port.
	Port int

	// Dir keeps the cluster in this directory instead of a temporary one:
	// it is created on first use, reused afterwards, and left in place by
	// Close (which then only stops the servers). No watchdog runs. Used by
	// make db-up for a persistent development server.
	Dir string

	// Progress receives one line per step (initdb, start, replica, …).
	// Nil discards them.
	Progress io.Writer
}
