// Package otel adapts observe to OpenTelemetry tracing: an observe.Observer
// producing one client span per database call, following the database
// semantic conventions. It lives in its own package so that users of the
// core observe package do not depend on OpenTelemetry.
//
// Spans carry db.system.name=postgresql, db.operation.name (select,
// insert, ..., batch, copy), db.query.text (the normalised statement:
// literals and parameter values are never included), db.namespace,
// server.address and server.port, and on failure db.response.status_code
// (the SQLSTATE), error.type and a masked error message. Config.Legacy
// adds the pre-1.26 names (db.system, db.operation, db.statement, db.name)
// for backends that still expect them.
package otel

import (
	"context"
	"errors"

	"github.com/normkit/norm/observe"
	gotel "go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// ScopeName is the instrumentation scope of the spans.
const ScopeName = "github.com/normkit/norm/observe/otel"

// Config configures New.
type Config struct {
	// TracerProvider creates the tracer. Default: the global provider
	// (go.opentelemetry.io/otel.GetTracerProvider) at the time New is called.
	TracerProvider trace.TracerProvider

	// Database, ServerAddress and ServerPort fill db.namespace,
	// server.address and server.port. pgx does not expose them per call
	// without copying the connection config, so they are static: set them
	// from the pool's ConnConfig. Empty values are left out.
	Database      string
	ServerAddress string
	ServerPort    int

	// Acquire adds a span for each pool acquire (the wait for a
	// connection). Default: off; acquires are usually too short to matter.
	Acquire bool

	// Legacy also writes the attribute names of semantic conventions
	// before 1.26: db.system, db.operation, db.statement and db.name.
	Legacy bool
}

// Observer turns observe events into spans. It implements observe.Observer.
type Observer struct {
	tracer trace.Tracer
	// startOpts are built once: each option is an interface value, and
	// building them per span would allocate.
	startOpts []trace.SpanStartOption
	acquire   bool
	legacy    bool
}

var _ observe.Observer = (*Observer)(nil)

// New returns an Observer producing spans through cfg.TracerProvider.
func New(cfg Config) *Observer {
	tp := cfg.TracerProvider
	if tp == nil {
		tp = gotel.GetTracerProvider()
	}
	static := []attribute.KeyValue{semconv.DBSystemNamePostgreSQL}
	if cfg.Database != "" {
		static = append(static, semconv.DBNamespace(cfg.Database))
	}
	if cfg.ServerAddress != "" {
		static = append(static, semconv.ServerAddress(cfg.ServerAddress))
	}
	if cfg.ServerPort != 0 {
		static = append(static, semconv.ServerPort(cfg.ServerPort))
	}
	if cfg.Legacy {
		static = append(static, attribute.String("db.system", "postgresql"))
		if cfg.Database != "" {
			static = append(static, attribute.String("db.name", cfg.Database))
		}
	}
	return &Observer{
		tracer: tp.Tracer(ScopeName),
		startOpts: []trace.SpanStartOption{
			trace.WithSpanKind(trace.SpanKindClient),
			trace.WithAttributes(static...),
		},
		acquire: cfg.Acquire,
		legacy:  cfg.Legacy,
	}
}

// Observes implements observe.KindFilter: releases never make a span,
// acquires only with Config.Acquire.
func (o *Observer) Observes(k observe.Kind) bool {
	switch k {
	case observe.KindRelease:
		return false
	case observe.KindAcquire:
		return o.acquire
	}
	return true
}

// Observe implements observe.Observer. The span is created after the call
// with the call's start time, as a child of the span in ctx, and ended at
// start + duration, so its timing is exact even though it is recorded
// afterwards.
func (o *Observer) Observe(ctx context.Context, e *observe.Event) {
	switch e.Kind {
	case observe.KindRelease:
		return
	case observe.KindAcquire:
		if !o.acquire {
			return
		}
	}
	op := e.Op()
	opts := make([]trace.SpanStartOption, 0, len(o.startOpts)+1)
	opts = append(opts, o.startOpts...)
	opts = append(opts, trace.WithTimestamp(e.Start))
	_, span := o.tracer.Start(ctx, spanName(e), opts...)
	if span.IsRecording() {
		o.annotate(span, e, op)
	}
	span.End(trace.WithTimestamp(e.Start.Add(e.Duration)))
}

func (o *Observer) annotate(span trace.Span, e *observe.Event, op string) {
	attrs := make([]attribute.KeyValue, 0, 8)
	attrs = append(attrs, semconv.DBOperationName(op))
	if e.Statement != nil {
		attrs = append(attrs, semconv.DBQueryText(e.Statement.SQL))
	}
	if e.Table != "" {
		attrs = append(attrs, semconv.DBCollectionName(e.Table))
	}
	if e.Kind == observe.KindBatch {
		attrs = append(attrs, semconv.DBOperationBatchSize(e.Queries))
	}
	if e.Endpoint != "" {
		attrs = append(attrs, attribute.String("db.norm.endpoint", e.Endpoint))
	}
	if o.legacy {
		attrs = append(attrs, attribute.String("db.operation", op))
		if e.Statement != nil {
			attrs = append(attrs, attribute.String("db.statement", e.Statement.SQL))
		}
	}
	if e.Outcome() == observe.OutcomeError {
		attrs = append(attrs, errorAttrs(e)...)
		msg := observe.ErrorText(e.Err)
		span.RecordError(errors.New(msg), trace.WithTimestamp(e.Start.Add(e.Duration)))
		span.SetStatus(codes.Error, msg)
	}
	span.SetAttributes(attrs...)
}

func errorAttrs(e *observe.Event) []attribute.KeyValue {
	if code := e.SQLState(); code != "" {
		return []attribute.KeyValue{semconv.DBResponseStatusCode(code), semconv.ErrorTypeKey.String(code)}
	}
	if errors.Is(e.Err, context.DeadlineExceeded) {
		return []attribute.KeyValue{semconv.ErrorTypeKey.String("timeout")}
	}
	return []attribute.KeyValue{semconv.ErrorTypeOther}
}

// spanName follows the convention "{operation} {target}" with bounded
// values only: the operation kind, and the table for COPY.
func spanName(e *observe.Event) string {
	switch e.Kind {
	case observe.KindCopy:
		return "COPY " + e.Table
	case observe.KindQuery:
		if e.Statement != nil {
			return upper(e.Statement.Op)
		}
	}
	return upper(e.Kind.String())
}

func upper(op string) string {
	switch op {
	case observe.OpSelect:
		return "SELECT"
	case observe.OpInsert:
		return "INSERT"
	case observe.OpUpdate:
		return "UPDATE"
	case observe.OpDelete:
		return "DELETE"
	case observe.OpBatch:
		return "BATCH"
	case observe.OpCopy:
		return "COPY"
	case observe.OpPrepare:
		return "PREPARE"
	case observe.OpConnect:
		return "CONNECT"
	case observe.OpAcquire:
		return "ACQUIRE"
	}
	return "postgresql"
}
