// Package pool tests github.com/normkit/norm/pool against a real primary,
// a streaming hot-standby replica and PgBouncer in transaction pooling mode.
// Tests that stop, restart or pause a server start a cluster of their own
// (pgtest.Start) so that the shared one stays usable by parallel tests.
package pool
