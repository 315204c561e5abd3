// Package rlsutil tests norm's row-level security helpers against real
// policies, a non-owner application role, a pool of few connections and
// PgBouncer in transaction pooling mode.
package rlsutil
