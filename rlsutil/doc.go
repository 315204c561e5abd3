// Package rlsutil makes PostgreSQL row-level security the easy, safe way to
// isolate tenants in a pooled service.
//
// Tenant ids and roles are applied transaction-locally (set_config with
// is_local = true, SET LOCAL ROLE), so nothing set for one request can reach
// the next user of a pooled connection, and everything works behind
// PgBouncer in transaction pooling mode. Policy helpers fail closed: a
// missing tenant setting yields no rows, never all rows. The package also
// generates reviewed policy DDL for migrations. It imports no other norm
// module.
//
// # Go version
//
// The module needs Go 1.25 or later (the go line of its go.mod, set by
// pgx v5.12; CI builds and tests it with that release).
package rlsutil
