package pool

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Defaults applied by Open (and by Config.Validate) to zero-valued fields.
const (
	DefaultMaxConns          = 10
	DefaultMaxConnLifetime   = time.Hour
	DefaultMaxConnIdleTime   = 30 * time.Minute
	DefaultHealthCheckPeriod = 5 * time.Second
	DefaultConnectTimeout    = 5 * time.Second
	DefaultMaxReplicaLag     = 5 * time.Second
	DefaultCancelGracePeriod = time.Second
	DefaultShutdownTimeout   = 10 * time.Second
)

// Config describes the primary, its replicas, and how *DB talks to them.
//
// Start from a connection string (ConnString) or from the discrete fields
// (Host, Port, Database, User, Password); discrete fields override what the
// connection string says. Every zero-valued field takes the default named in
// its comment. Connection strings are parsed with pgx's own parser, which also
// reads the libpq environment variables (PGHOST, PGPORT, PGUSER, PGPASSWORD,
// PGDATABASE, PGSSLMODE, PGAPPNAME, …) for anything the string leaves out, so
// passwords containing spaces, quotes or '=' work as long as they are quoted
// or percent-encoded in the string — or given in Password, which needs no
// quoting at all.
type Config struct {
	// ConnString is the primary's DSN, as a URL (postgres://…) or as
	// keyword/value pairs (host=… user=…). Empty means "libpq environment
	// variables only" (ConfigFromEnv fills it from DATABASE_URL).
	ConnString string

	// ReplicaConnStrings are the DSNs of hot-standby replicas that serve
	// routed reads. Empty means every statement goes to the primary.
	ReplicaConnStrings []string

	// ReadOnlyConnString is the simple case of a single replica; when set it
	// is used as one more entry of ReplicaConnStrings.
	ReadOnlyConnString string

	// Host, Port, Database, User and Password override the primary's
	// connection string. Database, User and Password also apply to every
	// replica (same credentials everywhere is the common case). Zero values
	// leave the connection string's (or environment's) value in place.
	Host     string
	Port     uint16
	Database string
	User     string
	Password string

	// MaxConns is the size of each endpoint's pool. Default 10 (or the DSN's
	// pool_max_conns).
	MaxConns int32
	// MinConns is the number of connections each pool keeps open. Default 0.
	MinConns int32
	// MinIdleConns is the number of idle connections each pool keeps ready.
	// Default 0.
	MinIdleConns int32
	// MaxConnLifetime is how long a connection lives before it is closed at
	// release. Default 1h.
	MaxConnLifetime time.Duration
	// MaxConnLifetimeJitter spreads the lifetime closes so that connections
	// opened together are not all recycled at once. Default 0.
	MaxConnLifetimeJitter time.Duration
	// MaxConnIdleTime closes connections idle for longer. Default 30m.
	MaxConnIdleTime time.Duration
	// HealthCheckPeriod is how often each endpoint is probed (up/down,
	// latency, replica lag and role) and how often pgxpool prunes its idle
	// connections. A stopped replica leaves rotation within one period.
	// Default 5s.
	HealthCheckPeriod time.Duration
	// ConnectTimeout bounds the dial and startup of one connection. Default
	// 5s (or the DSN's connect_timeout).
	ConnectTimeout time.Duration

	// StatementTimeout, LockTimeout and IdleInTransactionSessionTimeout are
	// sent as startup parameters (statement_timeout, lock_timeout,
	// idle_in_transaction_session_timeout) on every connection. Zero leaves
	// the server's setting. PgBouncer 1.18 rejects unknown startup
	// parameters: behind it, leave these zero and use ALTER ROLE … SET.
	StatementTimeout                time.Duration
	LockTimeout                     time.Duration
	IdleInTransactionSessionTimeout time.Duration

	// RuntimeParams are extra session parameters sent at connection startup
	// on every connection (search_path, timezone, …). This is the right
	// place for session-level settings: *DB refuses SET outside a
	// transaction (see the package doc, "Session hygiene").
	RuntimeParams map[string]string

	// ApplicationName is sent as application_name. Default: the DSN's.
	ApplicationName string

	// StatementCacheCapacity and DescriptionCacheCapacity size pgx's
	// per-connection caches. Zero keeps the DSN's value (pgx default 512).
	StatementCacheCapacity   int
	DescriptionCacheCapacity int

	// QueryExecMode is pgx's default query execution mode. Zero keeps the
	// DSN's default_query_exec_mode (pgx default: QueryExecModeCacheStatement).
	// Behind PgBouncer in transaction pooling mode (1.18, no protocol-level
	// prepared statements) CacheStatement fails with 42P05; use
	// QueryExecModeCacheDescribe (best: typed parameters, one round trip),
	// QueryExecModeExec or QueryExecModeSimpleProtocol.
	QueryExecMode pgx.QueryExecMode

	// Tracer receives every query, batch, copy and connect of every pool
	// (observe's tracers plug in here). If it implements EndpointTracer,
	// each pool gets ForEndpoint(EndpointPrimary) or
	// ForEndpoint(EndpointReplica) instead, so its events name the kind of
	// server that ran them (every replica shares the one label, which
	// keeps metric labels bounded); otherwise every pool gets Tracer
	// itself. If Tracer implements RetryTracer it sees every retry (always
	// Tracer itself, not a per-endpoint copy). Default: none.
	Tracer pgx.QueryTracer

	// Retry configures statement retries.
	Retry RetryConfig

	// Breaker configures the per-endpoint circuit breakers.
	Breaker BreakerConfig

	// MaxReplicaLag is the largest lag at which a replica still serves
	// routed reads (statements and read-only InTx). Lag is measured against
	// the primary: how long the replica has been missing WAL the primary
	// had flushed, as seen by the primary's health probe (or the replica's
	// own replay delay, if larger). A replica that stops replaying — its
	// WAL stream cut, replay paused — leaves the rotation within
	// HealthCheckPeriod + MaxReplicaLag of the first write it misses, so
	// that is the staleness bound of a routed read. Default 5s.
	MaxReplicaLag time.Duration

	// AllowStaleReads lets routed reads go to any replica within
	// MaxReplicaLag even right after this DB wrote, trading
	// read-your-writes for replica throughput. By default (false) a DB with
	// replicas gives its callers read-your-writes: after a write through
	// the DB (a statement on the primary that is not plainly a read, a
	// committed read-write transaction, a batch, a copy), routed reads go
	// to the primary until the write's WAL position is known — a moment
	// later, read by one background goroutine — and then only to replicas
	// that have replayed it. A read-mostly workload keeps most reads on
	// replicas (see the pool guide for figures). The guarantee covers
	// writes made through this *DB in this process; to carry it across
	// processes or requests, use a Session (WithSession, FormatLSN).
	AllowStaleReads bool

	// ReplicaWait bounds how long a read through a ctx carrying a Session
	// (ReadYourWrites, WithSession) — a routed statement, or the BEGIN of
	// a read-only InTx — waits for a replica to replay the session's last
	// write when that is the only reason no replica may serve it (the
	// replica is up, its breaker is not open, its lag is within
	// MaxReplicaLag). While waiting, each such replica is asked for its
	// replay position directly, every 1–20ms; the first to reach the
	// session's position serves the read, and when none does in time the
	// primary does. A few hundred milliseconds suit a replica on the same
	// network, which replays a commit within milliseconds. Default 0: no
	// wait, the primary serves such reads at once.
	ReplicaWait time.Duration

	// CancelGracePeriod is how long the server gets to stop a statement
	// whose ctx was canceled (a cancel request is sent at once) before the
	// connection is dropped. Default 1s.
	CancelGracePeriod time.Duration

	// ShutdownTimeout is the deadline Close gives Shutdown. Default 10s.
	ShutdownTimeout time.Duration

	// OnBegin, when set, runs right after BEGIN of every transaction begun
	// through *DB (InTx, Begin, BeginTx; not savepoints), with the ctx
	// passed to that call. It is the hook for transaction-local settings
	// (set_config(name, value, true), SET LOCAL ROLE) that rlsutil applies.
	// An error rolls the transaction back and is returned by the begin.
	OnBegin func(ctx context.Context, tx pgx.Tx) error

	// ConfigurePool, when set, adjusts each endpoint's pgxpool.Config
	// before its pool is built: Open calls it once for the primary
	// (endpoint "primary") and once per replica ("replica[0]", … in
	// Config order), after every field of this Config has been applied,
	// so what it sets wins. It is the place for pgx's connection hooks —
	// above all AfterConnect, to register custom types (enums, composite
	// types, an extension's types) on every connection with
	// conn.LoadTypes and conn.TypeMap().RegisterTypes — and for any
	// pgxpool or pgx setting this Config does not name.
	//
	// norm's own hooks are chained with what ConfigurePool leaves in
	// AfterConnect, BeforeClose and ShouldPing, never replaced by it:
	// AfterConnect runs the user's hook first and then norm's (a
	// connection the user's hook rejects is closed by pgxpool and never
	// seen by norm); BeforeClose runs norm's then the user's; a
	// connection is pinged before use when either ShouldPing asks for it
	// (both are always called). The other hooks (PrepareConn,
	// AfterRelease, BeforeConnect, …) are the user's alone. The health
	// probes' own connections dial with the adjusted ConnConfig but run
	// no pool hook. An error fails Open, naming the endpoint. Default:
	// none.
	ConfigurePool func(endpoint string, pc *pgxpool.Config) error
}

// ConfigFromEnv returns a Config whose ConnString is $DATABASE_URL. Anything
// the URL leaves out (or everything, when DATABASE_URL is unset) comes from
// the libpq environment variables when the config is opened.
func ConfigFromEnv() Config {
	return Config{ConnString: os.Getenv("DATABASE_URL")}
}

// ConfigError reports one invalid Config field. Validate joins one per
// problem with errors.Join; use errors.As to inspect them.
type ConfigError struct {
	Field string // e.g. "MaxConns" or "ReplicaConnStrings[1]"
	Msg   string
	Err   error // underlying parse error, if any
}

func (e *ConfigError) Error() string { return "pool: Config." + e.Field + ": " + e.Msg }

// Unwrap returns the underlying error.
func (e *ConfigError) Unwrap() error { return e.Err }

// Validate reports every problem of c at once (errors.Join of *ConfigError,
// each naming its field), or nil. It parses every connection string but
// never connects. Messages never include a password.
func (c Config) Validate() error {
	_, err := c.build()
	return err
}

// endpointConfig is one parsed endpoint ready for pgxpool.
type endpointConfig struct {
	name string // "primary" or "replica[i]"
	addr string // host:port, for messages (never the password)
	pool *pgxpool.Config
}

// built is a validated Config with defaults applied and every DSN parsed.
type built struct {
	cfg      Config
	primary  endpointConfig
	replicas []endpointConfig
}

func (c Config) withDefaults() Config {
	set := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	set(&c.HealthCheckPeriod, DefaultHealthCheckPeriod)
	set(&c.MaxReplicaLag, DefaultMaxReplicaLag)
	set(&c.CancelGracePeriod, DefaultCancelGracePeriod)
	set(&c.ShutdownTimeout, DefaultShutdownTimeout)
	c.Retry = c.Retry.withDefaults()
	c.Breaker = c.Breaker.withDefaults()
	return c
}

func (c Config) build() (*built, error) {
	c = c.withDefaults()
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, &ConfigError{Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	nonNegative := func(field string, d time.Duration) {
		if d < 0 {
			bad(field, "must not be negative, got %s", d)
		}
	}
	if c.MaxConns < 0 {
		bad("MaxConns", "must not be negative, got %d", c.MaxConns)
	}
	if c.MinConns < 0 {
		bad("MinConns", "must not be negative, got %d", c.MinConns)
	}
	if c.MinIdleConns < 0 {
		bad("MinIdleConns", "must not be negative, got %d", c.MinIdleConns)
	}
	if c.MaxConns > 0 && c.MinConns > c.MaxConns {
		bad("MinConns", "must not exceed MaxConns (%d), got %d", c.MaxConns, c.MinConns)
	}
	if c.MaxConns > 0 && c.MinIdleConns > c.MaxConns {
		bad("MinIdleConns", "must not exceed MaxConns (%d), got %d", c.MaxConns, c.MinIdleConns)
	}
	if c.StatementCacheCapacity < 0 {
		bad("StatementCacheCapacity", "must not be negative, got %d", c.StatementCacheCapacity)
	}
	if c.DescriptionCacheCapacity < 0 {
		bad("DescriptionCacheCapacity", "must not be negative, got %d", c.DescriptionCacheCapacity)
	}
	if c.QueryExecMode < 0 || c.QueryExecMode > pgx.QueryExecModeSimpleProtocol {
		bad("QueryExecMode", "unknown mode %d", c.QueryExecMode)
	}
	for _, d := range []struct {
		field string
		v     time.Duration
	}{
		{"MaxConnLifetime", c.MaxConnLifetime}, {"MaxConnLifetimeJitter", c.MaxConnLifetimeJitter},
		{"MaxConnIdleTime", c.MaxConnIdleTime}, {"HealthCheckPeriod", c.HealthCheckPeriod},
		{"ConnectTimeout", c.ConnectTimeout}, {"StatementTimeout", c.StatementTimeout},
		{"LockTimeout", c.LockTimeout}, {"IdleInTransactionSessionTimeout", c.IdleInTransactionSessionTimeout},
		{"MaxReplicaLag", c.MaxReplicaLag}, {"ReplicaWait", c.ReplicaWait}, {"CancelGracePeriod", c.CancelGracePeriod},
		{"ShutdownTimeout", c.ShutdownTimeout},
	} {
		nonNegative(d.field, d.v)
	}
	errs = append(errs, c.Retry.validate()...)
	errs = append(errs, c.Breaker.validate()...)

	b := &built{cfg: c}
	var err error
	b.primary, err = c.endpoint("ConnString", EndpointPrimary, c.ConnString, true)
	if err != nil {
		errs = append(errs, err)
	}
	for i, dsn := range c.replicaDSNs() {
		field := "ReplicaConnStrings[" + strconv.Itoa(i) + "]"
		if i == len(c.ReplicaConnStrings) {
			field = "ReadOnlyConnString"
		}
		ep, err := c.endpoint(field, EndpointReplica+"["+strconv.Itoa(i)+"]", dsn, false)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		b.replicas = append(b.replicas, ep)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return b, nil
}

func (c Config) replicaDSNs() []string {
	dsns := append([]string(nil), c.ReplicaConnStrings...)
	if c.ReadOnlyConnString != "" {
		dsns = append(dsns, c.ReadOnlyConnString)
	}
	return dsns
}

// endpoint parses one DSN and applies the Config on top of it. The error
// never carries the connection string's text (it may hold a password).
func (c Config) endpoint(field, name, dsn string, primary bool) (endpointConfig, error) {
	pc, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return endpointConfig{}, &ConfigError{Field: field, Msg: "cannot parse connection string: " + parseReason(err), Err: err}
	}
	cc := pc.ConnConfig
	if primary {
		if c.Host != "" {
			cc.Host = c.Host
			cc.Fallbacks = nil
		}
		if c.Port != 0 {
			cc.Port = c.Port
			cc.Fallbacks = nil
		}
	}
	if c.Database != "" {
		cc.Database = c.Database
	}
	if c.User != "" {
		cc.User = c.User
	}
	if c.Password != "" {
		cc.Password = c.Password
	}
	c.applyPool(pc, strings.Contains(dsn, "pool_max_conns"))
	c.applyConn(cc, primary)
	return endpointConfig{name: name, addr: addr(cc.Host, cc.Port), pool: pc}, nil
}

func (c Config) applyPool(pc *pgxpool.Config, dsnSetsMax bool) {
	switch {
	case c.MaxConns > 0:
		pc.MaxConns = c.MaxConns
	case !dsnSetsMax:
		// pgxpool defaults to max(4, NumCPU): a size that changes with the
		// machine. A service wants a fixed, documented one.
		pc.MaxConns = DefaultMaxConns
	}
	if c.MinConns > 0 {
		pc.MinConns = c.MinConns
	}
	if c.MinIdleConns > 0 {
		pc.MinIdleConns = c.MinIdleConns
	}
	durations := []struct {
		dst *time.Duration
		v   time.Duration
		def time.Duration
	}{
		{&pc.MaxConnLifetime, c.MaxConnLifetime, DefaultMaxConnLifetime},
		{&pc.MaxConnLifetimeJitter, c.MaxConnLifetimeJitter, 0},
		{&pc.MaxConnIdleTime, c.MaxConnIdleTime, DefaultMaxConnIdleTime},
		{&pc.HealthCheckPeriod, c.HealthCheckPeriod, DefaultHealthCheckPeriod},
	}
	for _, d := range durations {
		switch {
		case d.v > 0:
			*d.dst = d.v
		case d.def > 0 && *d.dst == 0:
			*d.dst = d.def
		}
	}
	if pc.MinConns > pc.MaxConns {
		pc.MinConns = pc.MaxConns
	}
}

func (c Config) applyConn(cc *pgx.ConnConfig, primary bool) {
	if c.ConnectTimeout > 0 {
		cc.ConnectTimeout = c.ConnectTimeout
	} else if cc.ConnectTimeout == 0 {
		cc.ConnectTimeout = DefaultConnectTimeout
	}
	params := map[string]time.Duration{
		"statement_timeout":                   c.StatementTimeout,
		"lock_timeout":                        c.LockTimeout,
		"idle_in_transaction_session_timeout": c.IdleInTransactionSessionTimeout,
	}
	for k, v := range params {
		if v > 0 {
			cc.RuntimeParams[k] = strconv.FormatInt(max(v.Milliseconds(), 1), 10)
		}
	}
	for k, v := range c.RuntimeParams {
		cc.RuntimeParams[k] = v
	}
	if c.ApplicationName != "" {
		cc.RuntimeParams["application_name"] = c.ApplicationName
	}
	if c.StatementCacheCapacity > 0 {
		cc.StatementCacheCapacity = c.StatementCacheCapacity
	}
	if c.DescriptionCacheCapacity > 0 {
		cc.DescriptionCacheCapacity = c.DescriptionCacheCapacity
	}
	if c.QueryExecMode != 0 {
		cc.DefaultQueryExecMode = c.QueryExecMode
	}
	if tr := c.tracerFor(primary); tr != nil {
		cc.Tracer = tr
	}
	grace := c.CancelGracePeriod
	cc.BuildContextWatcherHandler = func(pc *pgconn.PgConn) ctxwatch.Handler {
		// Send a cancel request at once so the server stops the statement,
		// and drop the connection only if it has not answered within grace:
		// no zombie queries, and no connection held past its caller.
		return &pgconn.CancelRequestContextWatcherHandler{Conn: pc, DeadlineDelay: grace}
	}
}

// Endpoint labels handed to an EndpointTracer. They name the kind of
// server, never its address, so they stay few whatever the topology.
const (
	EndpointPrimary = "primary"
	EndpointReplica = "replica"
)

// EndpointTracer is implemented by a Config.Tracer that can label what it
// records with the endpoint it traces, as observe's Tracer does. pool
// opens one pgxpool per server and gives each ForEndpoint(EndpointPrimary)
// or ForEndpoint(EndpointReplica) as its tracer. The returned tracer should
// implement the same pgx tracer interfaces (BatchTracer, CopyFromTracer,
// ConnectTracer, pgxpool.AcquireTracer, …) as the original; a nil result
// keeps the original.
type EndpointTracer interface {
	ForEndpoint(endpoint string) pgx.QueryTracer
}

// tracerFor returns the tracer for the primary's pool or a replica's.
func (c Config) tracerFor(primary bool) pgx.QueryTracer {
	et, ok := c.Tracer.(EndpointTracer)
	if !ok {
		return c.Tracer
	}
	if tr := et.ForEndpoint(roleOf(!primary)); tr != nil {
		return tr
	}
	return c.Tracer
}

// parseReason is a pgx parse error without the connection string, whose
// redaction pgx only does on a best-effort basis.
func parseReason(err error) string {
	var pce *pgconn.ParseConfigError
	if !errors.As(err, &pce) {
		return err.Error()
	}
	inner := pce.Unwrap()
	var ue *url.Error
	switch {
	case errors.As(inner, &ue):
		return ue.Err.Error() // url.Error's own text repeats the URL
	case inner != nil && strings.HasPrefix(inner.Error(), `missing "="`):
		// pgx quotes the offending word, which may be part of a password.
		return `a word is missing "=" (quote values holding spaces in single quotes)`
	}
	blank := *pce // the same message and cause, without the string
	blank.ConnString = ""
	return strings.TrimPrefix(blank.Error(), "cannot parse ``: ")
}

func addr(host string, port uint16) string {
	return host + ":" + strconv.Itoa(int(port))
}
