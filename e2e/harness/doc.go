// Package harness proves the test harness itself (tools/pgtest) against
// real servers: primary, streaming replica, PgBouncer, parallel databases
// and fault hooks.
package harness
