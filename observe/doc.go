// Package observe makes every database call visible without touching
// application code. It implements pgx's tracer interfaces (query, batch,
// copy, prepare, connect, and pgxpool's acquire/release), so it plugs into
// norm's pool.Config, a bare pgxpool or a single pgx.Conn alike.
//
// It provides structured logs through zerolog (and a log/slog adapter) with
// fields taken from the context, a slow-query log, metrics and tracing.
// Parameter values are masked by default in everything it writes. It
// imports no other norm module.
package observe
