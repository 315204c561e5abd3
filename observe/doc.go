// Package observe makes every database call visible without touching
// application code. It implements pgx's tracer interfaces (query, batch,
// copy, prepare, connect, and pgxpool's acquire/release), so it plugs into
// norm's pool.Config, a bare pgxpool or a single pgx.Conn alike. It
// imports no other public norm module, only norm's internal ones (the SQL
// lexer and the redaction rule, which users cannot import).
//
// # Tracer and observers
//
// New returns a Tracer that turns each traced call into exactly one Event
// and hands it to a list of Observers:
//
//   - Logger (zerolog) and SlogLogger (log/slog): one line per call, at
//     debug for success, warn when slow, error on failure; pgx.ErrNoRows
//     and a context canceled by the caller are not errors. Lines carry the
//     normalised statement, fingerprint, duration, rows, masked parameters,
//     SQLSTATE, endpoint, the request logger's fields (zerolog.Ctx) and the
//     fields attached with WithFields and WithCorrelationID.
//   - LogConfig.SlowOnly turns a logger into a slow-query log.
//   - MetricsObserver feeds a Metrics: Expvar here (no dependencies), or
//     observe/prom for Prometheus.
//   - observe/otel produces OpenTelemetry client spans.
//   - NewDeferred takes a list of observers off the call path: the call
//     only adds its event to a buffer that a goroutine hands on every
//     100ms (failures and slow calls at once).
//
// The start of a call travels in the context pgx carries from the start
// hook to the end hook (one allocation per call, none when no observer
// handles the kind); the tracer keeps no maps of calls in flight and takes
// no locks.
//
// # Masking
//
// Parameter values are never written in clear by default. A value appears
// as its PostgreSQL type and length (text(11), bytea(32), jsonb(120),
// []text(3), int8, NULL), optionally with a keyed hash; Mask.Reveal and
// Mask.Redact reveal chosen parameters. Statements are normalised
// (Normalize): string, numeric and dollar-quoted literals become "?" and
// comments are dropped; $n placeholders stay. Error text goes through
// ErrorText: a server message is kept only when it is one of a fixed set
// known to carry no data ("deadlock detected"); any other becomes its
// SQLSTATE, condition name and object names. Detail, Hint, Where and
// InternalQuery, which quote row values, are left out.
//
// # Endpoint
//
// Config.Endpoint names the server a tracer's connections go to, so one
// tracer per pool labels its events ("primary", "replica"); WithEndpoint
// overrides it for calls made with a context.
//
// # Audit contract
//
// Auditor is the contract between norm's repo module and audit sinks.
// AuditEvent is an alias of an unnamed struct type, so repo declares the
// identical alias and interface without importing observe, and the sinks
// here satisfy repo's interface (Go identifies unnamed struct types by
// their fields):
//
//	type AuditEvent = struct {
//		At        time.Time
//		Actor     string
//		Operation string
//		Table     string
//		Key       map[string]any
//		Changed   []string
//		Before    map[string]any
//		After     map[string]any
//	}
//
//	type Auditor interface {
//		Audit(ctx context.Context, e AuditEvent) error
//	}
//
// The fields, their order and types must stay the same in both modules.
// AuditLog
// (zerolog) and SlogAudit (slog) write one record per change, masking the
// columns AuditConfig.Sensitive marks (see SensitiveColumns).
//
// # HTTP
//
// Handler serves /metrics (for example prom.Handler), /debug/vars (expvar)
// and /healthz, ready to mount on an internal listener.
//
// # Go version
//
// The module needs Go 1.25 or later (the go line of its go.mod, set by
// pgx v5.12; CI builds and tests it with that release).
package observe
