// Package e2e tests every norm module against real PostgreSQL: a primary,
// a streaming replica and PgBouncer in transaction pooling mode, all
// started by tools/pgtest for each test package. It is a module of its
// own so that the library modules stay free of test-only dependencies.
package e2e
