// Package pool wraps pgx v5's pgxpool into the connection layer a production
// service needs: validated configuration, health reports, retries that never
// replay a write that may have reached the server, a circuit breaker per
// endpoint that counts only infrastructure failures, routing of reads to
// healthy replicas within a lag bound, transactions carried in a
// context.Context, session hygiene and graceful shutdown.
//
// # The executor surface
//
// *DB offers the pgx executor surface — Exec, Query, QueryRow, SendBatch,
// CopyFrom, Begin and BeginTx — so every norm module that accepts a small
// Querier interface accepts it, and no other norm module imports pool:
//
//	type Querier interface {
//		Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
//		Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
//		QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
//	}
//
// Every method takes raw SQL: values belong in args, never in the text.
// Primary, Replica and Replicas return the underlying pgxpools as escape
// hatches; they bypass everything this package adds. Config.ConfigurePool
// adjusts each pgxpool's config before it is built (pgx's connection
// hooks, e.g. registering custom types on every connection); norm chains
// its own hooks with the ones set there.
//
// # Transactions travel in ctx
//
// InTx begins a transaction on the primary — or, with ReadOnly, wherever a
// routed read would go (see Routing) — and passes fn a ctx carrying it.
// Every *DB method called with that ctx — directly or through a repository
// built over this DB — runs in that transaction. A nested InTx uses a
// savepoint in the enclosing transaction, whatever its options. fn
// returning an error, or panicking, rolls back (the panic is re-raised).
// RetryConflicts opts in to running the whole transaction again after a
// serialization failure (40001) or deadlock (40P01).
//
// Work that must happen only once the data is committed (cache
// invalidation, messages) is registered with AfterCommit. Other modules
// discover this ability by type assertion on the value they were handed:
//
//	type afterCommitter interface {
//		AfterCommit(ctx context.Context, fn func()) bool
//	}
//
// (*DB).AfterCommit returns false, without running fn, when ctx carries no
// transaction of that DB; the caller then runs fn at once. (*DB).HasTx
// tells whether ctx carries one without registering anything.
//
// Config.OnBegin runs right after BEGIN of every transaction begun through
// *DB, with the ctx of that call. It is where transaction-local settings go
// (set_config(name, value, true), SET LOCAL ROLE); rlsutil uses it to apply
// a tenant to every transaction.
//
// # Routing
//
// Outside a transaction a statement goes to a replica only when a cheap scan
// of its text shows it plainly reads: it starts with SELECT, WITH, VALUES,
// TABLE or SHOW, and has no INSERT/UPDATE/DELETE/MERGE (a data-modifying
// CTE), no FOR UPDATE/SHARE, no SELECT … INTO, and no call of a function
// known to write or to use session state (nextval, setval, currval,
// advisory locks, set_config, pg_notify, txid_current, …). Everything else,
// and everything in doubt, goes to the primary. The scan's result is cached
// per statement text.
//
// A replica serves reads while its health probe succeeds, its breaker is
// not open and its lag is at most Config.MaxReplicaLag; replicas take
// turns. With none eligible, reads go to the primary. Lag is measured
// against the primary (its WAL flush position against the replica's replay
// position), so a replica whose WAL stream is cut leaves the rotation
// within HealthCheckPeriod + MaxReplicaLag of the first write it misses:
// that bounds the staleness of a routed read.
//
// A DB with replicas reads its own writes by default: after a write
// through it, its routed reads go to the primary until the write's WAL
// position is known (one background goroutine reads it) and then only to
// replicas that replayed it. Config.AllowStaleReads opts out. A statement a
// replica refuses as a write (SQLSTATE 25006) is re-run on the primary once.
// The same error from the primary has its role re-checked at once
// (pg_is_in_recovery()): if a failover demoted it, its pool is reset and
// the statement retried on new connections; otherwise (a read-only
// database) the error is returned as is.
//
// UsePrimary and UseReplica override the choice for a ctx; QueryRead is
// Query with UseReplica. ReadYourWrites (or WithSession) carries
// read-your-writes across requests and processes: reads of a ctx go to a
// replica only once it has replayed the session's last write;
// Config.ReplicaWait lets such a read wait a bounded time for a replica to
// catch up before it goes to the primary. ParseLSN and FormatLSN carry a
// session's position through a cookie or a header.
//
// A read-only InTx (ReadOnly) is routed like a read: the whole transaction
// runs on a replica eligible by the rules above (UsePrimary, a Session,
// MaxReplicaLag, breakers and ReplicaWait included), else on the primary;
// SERIALIZABLE ones stay on the primary, which a hot standby requires.
// Config.OnBegin runs on whichever server it begins on. A replica that
// cannot begin it (refused or lost connection, open breaker) gives way to
// the primary; once fn runs, nothing is moved. Inside any transaction every
// statement uses the transaction.
//
// # Tracing
//
// Config.Tracer sees every statement of every pool. A tracer that
// implements EndpointTracer (observe's does) is asked for one copy per
// pool, ForEndpoint(EndpointPrimary) or ForEndpoint(EndpointReplica), so
// its events say which kind of server ran them.
//
// # Retries
//
// A statement is tried Config.Retry.MaxAttempts times at most (default 3),
// with exponential backoff and full jitter, never sleeping past ctx's
// deadline. It is retried when nothing reached the server
// (pgconn.SafeToRetry, except pgx's "conn closed", a connection that could
// not be made); once after "cached plan must not change result type"; and
// after a lost connection only when replay is provably harmless: it ran on
// a replica, or ctx was marked with Idempotent. SQL text cannot prove that
// a statement on the primary does not write (SELECT charge($1) may
// insert), so such a statement — read or write — is not replayed; its
// caller gets an error matching ErrOutcomeUnknown, as do batches, CopyFrom
// and the COMMIT of a transaction whose connection was lost. A statement
// inside a transaction is never retried. Each retry reaches
// Config.Retry.OnRetry and, if the tracer implements RetryTracer, the
// tracer. Errors caused by the end of ctx match its error (errors.Is with
// context.DeadlineExceeded or context.Canceled) on every path.
//
// # Circuit breakers
//
// Each endpoint has a breaker (gobreaker). It counts infrastructure
// failures only — connections that cannot be made (53300, 57P03, a
// connection-class FATAL), calls whose deadline passed without the server
// answering even the cancel request (a hung server), failed or timed-out
// health probes — never a statement's own error (an error the server sent
// and survived, such as 08P01 for a value the protocol cannot carry), a
// canceled ctx or a wait for a pooled connection. An open breaker refuses
// calls at once with a *CircuitOpenError (matching ErrCircuitOpen); an
// open replica simply leaves the rotation. While open, the endpoint is
// probed every 500ms, and a probe that finds the server answering in its
// role closes the breaker; otherwise after Breaker.OpenTimeout it
// half-opens and admits Breaker.HalfOpenProbes calls, the health probe
// included, so an idle endpoint recovers too.
//
// # Failover
//
// With a multi-host DSN (host=a,b … target_session_attrs=read-write) the
// pool follows a promotion: writes resume within a probe period of it,
// Health names the server the connections reach, and a server found in
// recovery has its connections reset. With a single host name, whatever
// the name points at must move to the new primary and the old one must be
// fenced; see the pool guide.
//
// # Session hygiene
//
// A pooled connection serves one caller after another, so session state set
// by one would reach the next. Outside a transaction *DB refuses statements
// that change session state (SET without LOCAL, SET ROLE, set_config with a
// third argument other than the literal true, session advisory locks,
// LISTEN, temporary tables, PREPARE) with a *SessionStateError saying what
// to use instead. Inside InTx they are allowed, and the connection is
// cleaned after the transaction (RESET ALL, RESET ROLE, DISCARD TEMP,
// pg_advisory_unlock_all(), UNLISTEN *, CLOSE ALL) before it goes back —
// not DISCARD ALL, which would drop pgx's prepared statements. Ordinary
// transactions pay nothing for this.
//
// # Cancellation and shutdown
//
// A canceled ctx sends the server a cancel request at once and drops the
// connection only if the server has not answered within
// Config.CancelGracePeriod. Shutdown refuses new work with ErrClosed, lets
// in-flight statements and transactions finish until its ctx ends, then
// cancels what is left and closes every pool. It returns at most
// CancelGracePeriod + 1s after its ctx's deadline, whatever the servers do,
// with no call of the DB left blocked on a connection. Close is Shutdown
// with Config.ShutdownTimeout.
//
// # Misuse
//
// A nil ctx, InTx with a nil function, or a DB not made by Open return an
// error matching ErrMisuse instead of panicking.
//
// # PgBouncer
//
// Behind PgBouncer in transaction pooling mode (1.18), pgx's default
// QueryExecModeCacheStatement fails with 42P05 ("prepared statement …
// already exists"). Use QueryExecModeCacheDescribe (recommended: typed
// parameters, one round trip per statement), QueryExecModeExec or
// QueryExecModeSimpleProtocol, and leave the server timeouts in Config
// zero (PgBouncer rejects unknown startup parameters; set them with ALTER
// ROLE … SET instead).
//
// # Go version
//
// The module needs Go 1.25 or later (the go line of its go.mod, set by
// pgx v5.12; CI builds and tests it with that release).
package pool
