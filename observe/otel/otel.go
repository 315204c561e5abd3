package otel

import (
	"context"
	"errors"
	"time"

	"github.com/normkit/norm/observe"
	"github.com/normkit/norm/observe/internal/lookup"
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

// Observer turns observe events into spans. It implements
// observe.StartObserver: a span starts when the call starts, is carried in
// the call's context (so spans of nested calls, such as a prepare made for
// a query, are its children) and ends when the call ends. Events handed
// to Observe without a matching ObserveStart still make a span, timed
// with the event's Start and Duration.
//
// Behind an observe.Deferred, spans are recorded that way after the call
// on a background goroutine, which takes the tracing SDK off the latency
// of every query: see observe.Deferred for what changes.
type Observer struct {
	tracer trace.Tracer
	static []attribute.KeyValue // on every span
	kind   trace.SpanStartOption
	// starts caches the start options of query and prepare spans per
	// statement, kind and endpoint: building them allocates, and they are
	// the same for every call of a statement.
	starts  *lookup.Map[startKey, []trace.SpanStartOption]
	acquire bool
	legacy  bool
}

var _ observe.StartObserver = (*Observer)(nil)

// maxCachedStarts bounds Observer.starts. The tracer caches at most 1024
// statements by default; the rest get a new *Statement per call, and
// their options are then built per call rather than cached.
const maxCachedStarts = 4096

type startKey struct {
	st       *observe.Statement
	kind     observe.Kind
	endpoint string
}

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
		tracer:  tp.Tracer(ScopeName),
		static:  static,
		kind:    trace.WithSpanKind(trace.SpanKindClient),
		starts:  lookup.New[startKey, []trace.SpanStartOption](maxCachedStarts),
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

// spanCtx marks the span an Observer opened for one event, so that the end
// of the call finds its own span even when other spans were opened in
// between (by a nested call, or by another StartObserver).
type spanCtx struct {
	context.Context
	owner *Observer
	ev    *observe.Event
	span  trace.Span
}

type spanKey struct{}

func (c *spanCtx) Value(key any) any {
	if key == (spanKey{}) {
		return c
	}
	return c.Context.Value(key)
}

// ObserveStart implements observe.StartObserver: it starts the call's span
// as a child of the span in ctx and returns a context carrying it.
func (o *Observer) ObserveStart(ctx context.Context, e *observe.Event) context.Context {
	if !o.Observes(e.Kind) {
		return ctx
	}
	ctx, span := o.tracer.Start(ctx, spanName(e), o.startOptions(e)...)
	return &spanCtx{Context: ctx, owner: o, ev: e, span: span}
}

// Observe implements observe.Observer: it ends the span ObserveStart
// opened for e, recording the outcome, or makes a span afterwards,
// timed from e.Start and e.Duration, when there is none.
func (o *Observer) Observe(ctx context.Context, e *observe.Event) {
	if !o.Observes(e.Kind) {
		return
	}
	if span, ok := o.spanOf(ctx, e); ok {
		if span.IsRecording() {
			o.annotateEnd(span, e, time.Time{})
		}
		span.End()
		return
	}
	o.spanAfter(ctx, e)
}

// spanAfter records the span of a finished call as a child of the span
// in ctx, timed from e.Start and e.Duration.
func (o *Observer) spanAfter(ctx context.Context, e *observe.Event) {
	end := e.Start.Add(e.Duration)
	opts := append(o.startOptions(e), trace.WithTimestamp(e.Start))
	_, span := o.tracer.Start(ctx, spanName(e), opts...)
	if span.IsRecording() {
		o.annotateEnd(span, e, end)
	}
	span.End(trace.WithTimestamp(end))
}

// spanOf returns the span ObserveStart opened for e in ctx.
func (o *Observer) spanOf(ctx context.Context, e *observe.Event) (trace.Span, bool) {
	for c, _ := ctx.Value(spanKey{}).(*spanCtx); c != nil; c, _ = c.Context.Value(spanKey{}).(*spanCtx) {
		if c.owner == o && c.ev == e {
			return c.span, true
		}
	}
	return nil, false
}

// startOptions returns the span kind and the attributes known when a call
// starts, from the cache for queries and prepares. The result may be
// shared: callers must not modify it, and appending to it copies it (its
// capacity equals its length).
func (o *Observer) startOptions(e *observe.Event) []trace.SpanStartOption {
	cacheable := e.Statement != nil && (e.Kind == observe.KindQuery || e.Kind == observe.KindPrepare)
	if !cacheable {
		return o.buildStartOptions(e)
	}
	k := startKey{st: e.Statement, kind: e.Kind, endpoint: e.Endpoint}
	return o.starts.LoadOrAdd(k, func() []trace.SpanStartOption { return o.buildStartOptions(e) })
}

func (o *Observer) buildStartOptions(e *observe.Event) []trace.SpanStartOption {
	op := e.Op()
	attrs := make([]attribute.KeyValue, 0, len(o.static)+8)
	attrs = append(attrs, o.static...)
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
	opts := []trace.SpanStartOption{o.kind, trace.WithAttributes(attrs...)}
	return opts[:len(opts):len(opts)]
}

// annotateEnd adds what is known only when the call ends: the statement
// of a batch (its first one) and the error, recorded at end (zero: now).
func (o *Observer) annotateEnd(span trace.Span, e *observe.Event, end time.Time) {
	if e.Kind == observe.KindBatch && e.Statement != nil {
		span.SetAttributes(semconv.DBQueryText(e.Statement.SQL))
		if o.legacy {
			span.SetAttributes(attribute.String("db.statement", e.Statement.SQL))
		}
	}
	if e.Outcome() != observe.OutcomeError {
		return
	}
	span.SetAttributes(errorAttrs(e)...)
	msg := observe.ErrorText(e.Err)
	span.RecordError(errors.New(msg), trace.WithTimestamp(end))
	span.SetStatus(codes.Error, msg)
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
