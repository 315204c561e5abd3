// Package migrate turns Go models into a reviewed, safe change to a live
// PostgreSQL schema.
//
// It derives the desired schema from sqlb's model metadata, reads the live
// schema from pg_catalog, and produces a deterministic plan whose every step
// carries a hazard rating; destructive steps need an explicit opt-in. The
// models' defaults, generated columns and partial-index predicates are
// compared with the catalog in the server's own printed form: what a
// textual normaliser cannot settle is deparsed by PostgreSQL in temporary
// tables of a transaction that is rolled back, so an unchanged model plans
// nothing, and an expression the server rejects is a plan error
// (ExprError). Apply
// runs under an advisory lock with a lock_timeout, re-plans inside the lock
// and records its history atomically with the change; a step that must
// run after the commit (CREATE INDEX CONCURRENTLY) is recorded once it has
// succeeded. It does not import pool: it takes a DB, any pool that hands
// out a dedicated connection (Acquire) — *pgxpool.Pool or norm's
// *pool.DB —, and runs every call on such connections (or on one
// *pgx.Conn, with NewAutoConn).
//
// Hand-written SQL-file and Go migrations run in package
// github.com/normkit/norm/migrate/versioned, under the same advisory lock
// (LockKey), so both kinds of migrator can serve one database.
//
// # Go version
//
// The module needs Go 1.25 or later (the go line of its go.mod, set by
// pgx v5.12; CI builds and tests it with that release).
package migrate
