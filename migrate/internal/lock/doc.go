// Package lock holds what the planner (package migrate) and the runner
// (package migrate/versioned) share: the advisory lock key, the dedicated
// connection each call runs on, and the polling loops that take the lock
// there and let it go.
//
// Both migrators take the same key, so auto-migrations, SQL-file and Go
// migrations never run concurrently against one database. The lock is
// never waited for inside a statement: a statement waiting for it holds a
// snapshot (and, in a transaction, an open transaction), and a concurrent
// index build by the holder waits for every such snapshot — a deadlock. So
// the lock is polled with pg_try_advisory_lock / pg_try_advisory_xact_lock
// and the waits between polls happen with no transaction open, with one
// backoff (see Backoff).
package lock
