// Package repo runs the repo module's Repository[T] against a real
// PostgreSQL server (and PgBouncer) started by tools/pgtest.
package repo
