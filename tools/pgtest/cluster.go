package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
)

// Mode says where a Cluster's server comes from.
type Mode int

const (
	// ModeLocal is a cluster started from local binaries.
	ModeLocal Mode = iota + 1
	// ModeExternal is an existing server named by NORM_TEST_DATABASE_URL.
	ModeExternal
	// ModeContainer is a server in a Docker container (testcontainers-go).
	ModeContainer
)

// String returns "local", "external" or "container".
func (m Mode) String() string {
	switch m {
	case ModeLocal:
		return "local"
	case ModeExternal:
		return "external"
	case ModeContainer:
		return "container"
	}
	return "Mode(" + strconv.Itoa(int(m)) + ")"
}

// ErrUnsupported is returned by fault hooks (stop, restart, pause replay)
// that the cluster's mode cannot offer, for example StopPrimary on an
// external server.
var ErrUnsupported = errors.New("pgtest: not supported by this cluster")

// Cluster is a running PostgreSQL primary, optionally with a streaming
// replica and PgBouncer. Its methods are safe for concurrent use, except
// the fault hooks, which a test must not run concurrently with each other.
type Cluster struct {
	mode Mode
	opts Options

	// external and container mode
	baseURL string
	cleanup func(context.Context) error

	// local mode
	local *localCluster

	prefix string // database name prefix, unique per cluster
	seq    atomic.Int64

	tmplMu   sync.Mutex
	tmplName string
	tmplErr  error

	closeOnce sync.Once
	closeErr  error
}

// Start finds or starts a PostgreSQL server as the package documentation
// describes and returns once it accepts connections (and, when asked for,
// the replica is streaming and PgBouncer answers).
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	c, err := defaultDiscovery.start(ctx, opts)
	if err != nil {
		return nil, err
	}
	c.opts = opts
	c.prefix = fmt.Sprintf("normt_%d_%x", os.Getpid()%100000, randomBytes(3))
	return c, nil
}

func (d discovery) start(ctx context.Context, opts Options) (*Cluster, error) {
	version := opts.Version
	if version == 0 {
		v, err := versionFromEnv()
		if err != nil {
			return nil, err
		}
		version = v
	}
	raw := os.Getenv("NORM_TEST_DATABASE_URL")
	if version != 0 {
		if raw != "" {
			return nil, fmt.Errorf("pgtest: both NORM_TEST_DATABASE_URL and PostgreSQL version %d (Options.Version or NORM_PG_VERSION) are set: unset one", version)
		}
		bin, err := FetchServer(ctx, version, opts.Progress)
		if err != nil {
			return nil, err
		}
		return startLocal(ctx, opts, bin)
	}
	if raw != "" {
		return startExternal(ctx, raw)
	}
	bin, err := d.findBinDir(ctx)
	if err == nil {
		return startLocal(ctx, opts, bin)
	}
	if !d.docker(ctx) {
		return nil, ErrNoServer
	}
	return startContainer(ctx)
}

// ErrNoServer is returned by Start when no server can be had: no
// NORM_TEST_DATABASE_URL, no local binaries and no Docker engine.
var ErrNoServer = errors.New("pgtest: no PostgreSQL server available: set NORM_TEST_DATABASE_URL to an existing server, " +
	"or install the server binaries (Debian/Ubuntu: apt-get install postgresql; macOS: brew install postgresql@15; " +
	"or set NORM_PG_BINDIR to the directory holding initdb), or start a Docker engine")

// Mode reports where the server comes from.
func (c *Cluster) Mode() Mode { return c.mode }

// DSN is a URL for the primary's "postgres" database as a superuser, over
// TCP with password authentication.
func (c *Cluster) DSN() string { return c.dsnFor("postgres") }

// ReplicaDSN is like DSN for the replica, or "" when there is none.
func (c *Cluster) ReplicaDSN() string {
	if !c.HasReplica() {
		return ""
	}
	return c.local.replicaURL("postgres")
}

// BouncerDSN is like DSN through PgBouncer, or "" when there is none.
// PgBouncer runs in transaction pooling mode: pgx's default statement
// cache fails there (42P05), so use QueryExecModeCacheDescribe, Exec or
// SimpleProtocol with it.
func (c *Cluster) BouncerDSN() string {
	if !c.HasBouncer() {
		return ""
	}
	return c.local.bouncerURL("postgres")
}

// HasReplica reports whether the cluster has a streaming replica.
func (c *Cluster) HasReplica() bool { return c.local != nil && c.local.replica != nil }

// HasBouncer reports whether the cluster has PgBouncer in front.
func (c *Cluster) HasBouncer() bool { return c.local != nil && c.local.bouncer != nil }

// ServerLog returns the primary's log so far, or "" when the server's log
// is not reachable (external servers).
func (c *Cluster) ServerLog() string {
	if c.local == nil {
		return ""
	}
	b, _ := os.ReadFile(c.local.primary.logFile)
	return string(b)
}

func (c *Cluster) dsnFor(db string) string {
	if c.local != nil {
		return c.local.primaryURL(db)
	}
	return withDatabase(c.baseURL, db)
}

// adminConn opens a superuser connection to the primary's "postgres"
// database. Local clusters use the Unix socket, so a restart of the
// primary costs nothing more than a fresh connection.
func (c *Cluster) adminConn(ctx context.Context) (*pgx.Conn, error) {
	dsn := c.DSN()
	if c.local != nil {
		dsn = c.local.socketURL(c.local.primary, "postgres")
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("pgtest: connect to primary: %w", err)
	}
	return conn, nil
}

// Close drops what the cluster created and stops every server it started.
// A temporary directory is removed. Close is idempotent.
func (c *Cluster) Close() error {
	c.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
		defer cancel()
		var errs []error
		if c.mode != ModeLocal {
			errs = append(errs, c.dropTemplate(ctx))
		}
		if c.cleanup != nil {
			errs = append(errs, c.cleanup(ctx))
		}
		if c.local != nil {
			errs = append(errs, c.local.close(ctx))
		}
		c.closeErr = errors.Join(errs...)
	})
	return c.closeErr
}

// withDatabase returns dsn pointing at database db. URL DSNs get a new
// path; keyword/value DSNs get a trailing dbname, which wins over an
// earlier one.
func withDatabase(dsn, db string) string {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		u.Path = "/" + db
		u.RawPath = ""
		return u.String()
	}
	return dsn + " dbname=" + quoteKeywordValue(db)
}

func quoteKeywordValue(v string) string {
	out := []byte{'\''}
	for i := 0; i < len(v); i++ {
		if v[i] == '\'' || v[i] == '\\' {
			out = append(out, '\\')
		}
		out = append(out, v[i])
	}
	return string(append(out, '\''))
}
