// Package prom adapts observe.Metrics to Prometheus (client_golang). It
// is a module of its own so that users of the expvar adapter do not
// depend on client_golang.
//
// Metric names (namespace "norm", subsystem "db" by default):
//
//	norm_db_query_duration_seconds{op,fingerprint,outcome,endpoint}  histogram
//	norm_db_rows_total{op,endpoint}                                  counter
//	norm_db_errors_total{op,class}                                   counter
//	norm_db_pool_acquire_wait_seconds{endpoint}                      histogram
//	norm_db_pool_conns{endpoint,state}                               gauge (total, idle, acquired, constructing, max)
//	norm_db_pool_acquires{endpoint,kind}                             gauge (all, empty, canceled, new_conns), copied from pgxpool
//	norm_db_breaker_transitions_total{endpoint,from,to}              counter
//	norm_db_retries_total{op}                                        counter
//
// Every label is bounded: operation kinds, outcomes, SQLSTATE classes,
// endpoint names and statement fingerprints; raw SQL never is a label.
//
// # Go version
//
// The module needs Go 1.25 or later (the go line of its go.mod; CI builds
// and tests it with that release).
package prom
