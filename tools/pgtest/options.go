package pgtest

import (
	"context"
	"io"

	"github.com/jackc/pgx/v5"
)

// Options configures Start. The zero value starts a lone primary on a free
// port in a temporary directory.
type Options struct {
	// Version starts a server of this PostgreSQL major version (one of
	// Versions: 13 to 18) from a build FetchServer fetches once into
	// CacheDir, instead of the locally installed server. Zero reads
	// NORM_PG_VERSION; when that is unset too, the local server is used
	// as the package documentation describes. It cannot be combined with
	// NORM_TEST_DATABASE_URL.
	Version int

	// Replica adds a streaming hot-standby replica of the primary, made with
	// pg_basebackup -R, or with the low-level backup API where the server's
	// binaries have no pg_basebackup (the builds Version fetches). Only
	// local clusters have one.
	Replica bool

	// SynchronousReplica makes the primary's commits wait until the replica
	// has flushed them: synchronous_standby_names names the replica's
	// application_name (pgtest_replica) and synchronous_commit is on,
	// where the default test settings turn it off. It needs Replica. A
	// commit on the primary then hangs while the replica is stopped,
	// frozen or cut off (CutReplicaStream); after a promotion replication
	// is asynchronous until RejoinOldPrimaryAsStandby sets it up again.
	SynchronousReplica bool

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
