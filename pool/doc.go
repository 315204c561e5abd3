// Package pool wraps pgx v5's pgxpool into the connection layer a production
// service needs: validated configuration, health reports, retries that never
// replay a write that may have reached the server, a circuit breaker per
// endpoint that counts only infrastructure failures, routing of reads to
// healthy replicas within a lag bound, transactions carried in a
// context.Context, and graceful shutdown.
//
// *pool.DB offers the pgx executor surface (Exec, Query, QueryRow,
// SendBatch, CopyFrom, Begin), so every norm module that accepts a small
// Querier interface accepts it; no other norm module imports pool.
package pool
