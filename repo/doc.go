// Package repo provides a generic, typed Repository[T] over any pgx
// executor: a connection, a transaction, a pgxpool, or norm's pool.DB with
// routing and context-carried transactions.
//
// It covers the everyday data access of a service: CRUD by primary key
// (single or composite), conditional reads, offset and keyset pages, soft
// delete with default scoping, optimistic locking, upsert, bulk insert with
// COPY, relations with preload, hooks, read-through caching and audit. SQL
// for fixed-shape operations is built once per type from sqlb's model
// metadata, so the hot path costs what hand-written pgx code costs.
//
// # Model
//
// T is a struct mapped by sqlb's tags (see sqlb.Model): table, columns,
// primary key (any name, single or composite), version column, soft-delete
// column and on_update columns. A single-column key is passed as a plain
// value; a composite one as a Key in the model's key order.
//
// # Soft delete
//
// For a model with a soft-delete column, every read and every write of an
// existing row follows the repository's view: live rows by default,
// WithTrashed for every row, OnlyTrashed for soft-deleted ones. A write by
// key (Update, UpdateFields, Delete, Upsert) of a row outside the view
// changes nothing and returns ErrNotFound — never ErrStale. WithTrashed is
// the explicit way to write a soft-deleted row. Delete (live rows),
// Restore (soft-deleted rows) and HardDelete (any row) ignore the view.
//
// # Reads into other structs
//
// Select, Get, SelectRaw and GetRaw run a sqlb statement or trusted SQL
// on any Querier and scan the rows into any struct — a join projected
// into a DTO, an aggregate, a report — by column name with the tag rules
// of models; the struct needs no table. A result column that maps to no
// field (or appears twice) is ErrInvalid naming it; a field with no
// column keeps its zero value; NULL goes into pointers, sql.Null* and
// pgtype values and is an error for a plain int or string.
//
// # Column names
//
// Column names given to Query.Where, Query.OrderBy, Find, FindOne,
// First, Last, Count, Exists, UpdateWhere and DeleteWhere are checked
// against the model before any SQL is sent, so a typo is ErrInvalid naming
// the column (`Where: users has no column "emial"`) instead of a server
// error; UpdateFields and UpdateWhere check the columns they set the same
// way. What is checked:
//
//   - A bare name (`email`, `"Email"`) in a sqlb condition (Eq, In,
//     Between, IsNull, On, … inside And/Or/Not) or a sort key must be a
//     column of the model: in a query that may gain joins, the table's
//     own columns are the only ones a bare name can name without doubt.
//     A name made of anything but identifier characters (`lower(email)`)
//     is taken for an expression and left alone.
//   - A name qualified with the model's table (`users.email`, or
//     `app.users.email` for a model in schema app) must be one of its
//     columns too.
//   - Names qualified with anything else (`a.name`: an alias or a joined
//     table) are left to the server, as are trusted SQL fragments
//     (WhereRaw, WhereNamed, sqlb.Raw, OrderByRaw), subqueries and the
//     statements given to Select and SelectRaw.
//   - A squirrel-style map condition (a map with string keys, such as
//     squirrel.Eq) has its keys checked when they are plain lower-case
//     identifiers; other keys may be expressions and are left alone.
//
// # Queriers and transactions
//
// The Querier decides where statements run. A repository over pool.DB
// joins the transaction ctx carries. A pgx.Tx (New[T](tx) or WithTx) binds
// the repository to that transaction; its reads see its uncommitted writes.
// Operations that must be atomic over several statements (CreateBatch and
// UpsertBatch across chunks, writes of a T with hooks) begin a transaction
// through the Querier's Begin, which is a savepoint when one is already
// open, so they never escape or break the caller's transaction.
//
// # Cache and audit timing
//
// Cache invalidation and audit records run after the outermost commit when
// the Querier has the AfterCommit ability (pool.DB) and ctx carries a
// transaction, and at once otherwise. A bare pgx.Tx cannot tell its commit:
// invalidation then happens at once, and reads through a transaction never
// read or fill the cache (over pool.DB, a read on a ctx from InTx is known
// to be inside one through HasTx; see TxCarrier). The remaining window
// with a bare pgx.Tx: a reader outside the transaction may refill the
// cache with the old committed row between the write and the commit, and
// that entry lives until its TTL. Use pool.DB (or any Querier with
// AfterCommit) where that matters.
//
// # Caches across processes
//
// Listen starts a Listener: one connection per process, straight to the
// primary, that LISTENs for the invalidations every write publishes with
// pg_notify in its own transaction (delivered only on commit, in commit
// order), and evicts them from the caches it guards (Listener.Guard).
// A guarded cache serves nothing while the listener is disconnected and is
// flushed when it is back. With a guarded cache the bare-pgx.Tx window
// above closes too: the notification, sent at commit, evicts the refill.
// WithWriteThrough caches the committed row of UpdateFields and Upsert
// after the commit. The module repo/rediscache is a Cache on Redis.
//
// # Errors
//
// ErrNotFound (wrapping pgx.ErrNoRows), ErrStale, ErrInvalid, ErrMisuse,
// ErrNotUnique, ErrNPlusOne and *ConstraintError (matching
// ErrUniqueViolation, ErrForeignKeyViolation, ErrCheckViolation,
// ErrNotNullViolation) are usable with errors.Is/As; every message names the
// operation and the table, never parameter values.
//
// # Go version
//
// The module needs Go 1.25 or later (the go line of its go.mod, set by
// pgx v5.12; CI builds and tests it with that release).
package repo
