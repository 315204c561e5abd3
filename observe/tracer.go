package observe

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Config configures a Tracer. The zero value is valid and observes nothing.
type Config struct {
	// Observers receive one Event per traced call, in this order.
	Observers []Observer

	// Endpoint names the server the traced connections talk to ("primary",
	// "replica"), so one tracer per pool labels every event. A context
	// from WithEndpoint overrides it. Default: empty.
	Endpoint string

	// StatementCacheSize caps how many distinct SQL texts keep their
	// normalised form cached. Default (zero): 1024. Beyond it, or when
	// negative, statements are normalised on every call.
	StatementCacheSize int

	// Now returns the current time; tests replace it. Default: time.Now.
	// Durations are measured between two calls of Now.
	Now func() time.Time
}

// Tracer is a pgx tracer that turns every query, batch, COPY, prepare,
// connect, acquire and release into exactly one Event handed to its
// observers. Set it as pgx.ConnConfig.Tracer (which pgxpool also uses for
// Acquire and Release). A Tracer is safe for concurrent use; the start of
// each call is kept in the context pgx carries from start to end, so it
// takes no locks and keeps no per-call state of its own.
type Tracer struct {
	byKind   [KindRelease + 1][]Observer // observers per Kind
	endpoint string
	now      func() time.Time
	cache    *statementCache // shared by the copies ForEndpoint makes
}

// Interface checks: the tracer plugs into every hook pgx and pgxpool offer.
var (
	_ pgx.QueryTracer       = (*Tracer)(nil)
	_ pgx.BatchTracer       = (*Tracer)(nil)
	_ pgx.CopyFromTracer    = (*Tracer)(nil)
	_ pgx.PrepareTracer     = (*Tracer)(nil)
	_ pgx.ConnectTracer     = (*Tracer)(nil)
	_ pgxpool.AcquireTracer = (*Tracer)(nil)
	_ pgxpool.ReleaseTracer = (*Tracer)(nil)
)

// New returns a Tracer combining the observers in cfg.
func New(cfg Config) *Tracer {
	t := &Tracer{
		endpoint: cfg.Endpoint,
		now:      cfg.Now,
	}
	for k := KindQuery; k <= KindRelease; k++ {
		for _, o := range cfg.Observers {
			if f, ok := o.(KindFilter); !ok || f.Observes(k) {
				t.byKind[k] = append(t.byKind[k], o)
			}
		}
	}
	if t.now == nil {
		t.now = time.Now
	}
	t.cache = &statementCache{max: int64(cfg.StatementCacheSize)}
	if t.cache.max == 0 {
		t.cache.max = 1024
	}
	return t
}

// ForEndpoint returns a tracer with the same observers and statement cache
// whose static endpoint is endpoint, for a pool wrapper that opens one
// pgxpool per server (primary, replicas) from a single configured tracer.
// It returns pgx.QueryTracer so that such a wrapper can look for it with
// an interface of its own, without importing observe:
//
//	interface{ ForEndpoint(string) pgx.QueryTracer }
//
// The result implements every tracer interface *Tracer does.
func (t *Tracer) ForEndpoint(endpoint string) pgx.QueryTracer {
	c := *t
	c.endpoint = endpoint
	return &c
}

// callCtx carries the Event of a call in progress from the start hook to
// the end hook. Embedding the parent context and answering Value for our
// key makes it one allocation instead of two (event + context.WithValue);
// Done, Err and Deadline are the parent's, so cancellation is unaffected.
type callCtx struct {
	context.Context
	ev Event
}

type callKey struct{}

func (c *callCtx) Value(key any) any {
	if key == (callKey{}) {
		return c
	}
	return c.Context.Value(key)
}

func (t *Tracer) start(ctx context.Context, kind Kind) *callCtx {
	c := &callCtx{Context: ctx}
	c.ev.Kind = kind
	c.ev.Start = t.now()
	return c
}

// call returns the call of the given kind started in ctx. The kind must
// match: a prepare made inside a query sees the query's call in ctx when
// nobody observes prepares, and must not end it.
func call(ctx context.Context, kind Kind) (*callCtx, bool) {
	c, ok := ctx.Value(callKey{}).(*callCtx)
	if !ok || c.ev.Kind != kind {
		return nil, false
	}
	return c, true
}

// finish completes the event started in ctx and hands it to the observers.
// A ctx without a started call (the tracer was swapped mid-call) is
// ignored rather than reported with a made-up duration.
func (t *Tracer) finish(ctx context.Context, kind Kind, err error) {
	c, ok := call(ctx, kind)
	if !ok {
		return
	}
	e := &c.ev
	e.Duration = t.now().Sub(e.Start)
	if e.Err == nil {
		e.Err = err
	}
	e.Endpoint = EndpointFrom(ctx)
	if e.Endpoint == "" {
		e.Endpoint = t.endpoint
	}
	t.emit(ctx, e)
}

func (t *Tracer) emit(ctx context.Context, e *Event) {
	for _, o := range t.byKind[e.Kind] {
		o.Observe(ctx, e)
	}
}

// TraceQueryStart implements pgx.QueryTracer.
func (t *Tracer) TraceQueryStart(ctx context.Context, conn *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	if len(t.byKind[KindQuery]) == 0 {
		return ctx // nobody listens: no allocation, and the end hook finds nothing
	}
	c := t.start(ctx, KindQuery)
	c.ev.Statement = t.cache.get(data.SQL)
	c.ev.Args = data.Args
	c.ev.Conn = conn
	return c
}

// TraceQueryEnd implements pgx.QueryTracer.
func (t *Tracer) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryEndData) {
	if c, ok := call(ctx, KindQuery); ok {
		c.ev.Rows = data.CommandTag.RowsAffected()
	}
	t.finish(ctx, KindQuery, data.Err)
}

// TraceBatchStart implements pgx.BatchTracer.
func (t *Tracer) TraceBatchStart(ctx context.Context, conn *pgx.Conn, data pgx.TraceBatchStartData) context.Context {
	if len(t.byKind[KindBatch]) == 0 {
		return ctx // nobody listens: no allocation, and the end hook finds nothing
	}
	c := t.start(ctx, KindBatch)
	c.ev.Conn = conn
	if data.Batch != nil {
		c.ev.Queries = data.Batch.Len()
	}
	return c
}

// TraceBatchQuery implements pgx.BatchTracer: it adds the statement's rows
// and error to the batch event instead of producing an event of its own.
func (t *Tracer) TraceBatchQuery(ctx context.Context, _ *pgx.Conn, data pgx.TraceBatchQueryData) {
	c, ok := call(ctx, KindBatch)
	if !ok {
		return
	}
	if c.ev.Statement == nil {
		c.ev.Statement = t.cache.get(data.SQL)
	}
	c.ev.Rows += data.CommandTag.RowsAffected()
	if c.ev.Err == nil {
		c.ev.Err = data.Err
	}
}

// TraceBatchEnd implements pgx.BatchTracer.
func (t *Tracer) TraceBatchEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceBatchEndData) {
	t.finish(ctx, KindBatch, data.Err)
}

// TraceCopyFromStart implements pgx.CopyFromTracer.
func (t *Tracer) TraceCopyFromStart(ctx context.Context, conn *pgx.Conn, data pgx.TraceCopyFromStartData) context.Context {
	if len(t.byKind[KindCopy]) == 0 {
		return ctx // nobody listens: no allocation, and the end hook finds nothing
	}
	c := t.start(ctx, KindCopy)
	c.ev.Conn = conn
	c.ev.Table = data.TableName.Sanitize()
	return c
}

// TraceCopyFromEnd implements pgx.CopyFromTracer.
func (t *Tracer) TraceCopyFromEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceCopyFromEndData) {
	if c, ok := call(ctx, KindCopy); ok {
		c.ev.Rows = data.CommandTag.RowsAffected()
	}
	t.finish(ctx, KindCopy, data.Err)
}

// TracePrepareStart implements pgx.PrepareTracer.
func (t *Tracer) TracePrepareStart(ctx context.Context, conn *pgx.Conn, data pgx.TracePrepareStartData) context.Context {
	if len(t.byKind[KindPrepare]) == 0 {
		return ctx // nobody listens: no allocation, and the end hook finds nothing
	}
	c := t.start(ctx, KindPrepare)
	c.ev.Conn = conn
	c.ev.Name = data.Name
	c.ev.Statement = t.cache.get(data.SQL)
	return c
}

// TracePrepareEnd implements pgx.PrepareTracer.
func (t *Tracer) TracePrepareEnd(ctx context.Context, _ *pgx.Conn, data pgx.TracePrepareEndData) {
	t.finish(ctx, KindPrepare, data.Err)
}

// TraceConnectStart implements pgx.ConnectTracer. The event carries the
// database, host and port, never the password.
func (t *Tracer) TraceConnectStart(ctx context.Context, data pgx.TraceConnectStartData) context.Context {
	if len(t.byKind[KindConnect]) == 0 {
		return ctx // nobody listens: no allocation, and the end hook finds nothing
	}
	c := t.start(ctx, KindConnect)
	if cfg := data.ConnConfig; cfg != nil {
		c.ev.Database = cfg.Database
		c.ev.Host = cfg.Host
		c.ev.Port = cfg.Port
	}
	return c
}

// TraceConnectEnd implements pgx.ConnectTracer.
func (t *Tracer) TraceConnectEnd(ctx context.Context, data pgx.TraceConnectEndData) {
	if c, ok := call(ctx, KindConnect); ok {
		c.ev.Conn = data.Conn
	}
	t.finish(ctx, KindConnect, data.Err)
}

// TraceAcquireStart implements pgxpool.AcquireTracer.
func (t *Tracer) TraceAcquireStart(ctx context.Context, pool *pgxpool.Pool, _ pgxpool.TraceAcquireStartData) context.Context {
	if len(t.byKind[KindAcquire]) == 0 {
		return ctx // nobody listens: no allocation, and the end hook finds nothing
	}
	c := t.start(ctx, KindAcquire)
	c.ev.Pool = pool
	return c
}

// TraceAcquireEnd implements pgxpool.AcquireTracer. The event's Duration is
// the time spent waiting for a connection.
func (t *Tracer) TraceAcquireEnd(ctx context.Context, _ *pgxpool.Pool, data pgxpool.TraceAcquireEndData) {
	if c, ok := call(ctx, KindAcquire); ok && data.Conn != nil {
		c.ev.Conn = data.Conn
	}
	t.finish(ctx, KindAcquire, data.Err)
}

// TraceRelease implements pgxpool.ReleaseTracer. pgx gives no context on
// release, so the event is observed with context.Background, has no
// duration and carries only the tracer's static endpoint.
func (t *Tracer) TraceRelease(pool *pgxpool.Pool, data pgxpool.TraceReleaseData) {
	if len(t.byKind[KindRelease]) == 0 {
		return // spare the allocation: nobody listens
	}
	e := &Event{Kind: KindRelease, Start: t.now(), Pool: pool, Endpoint: t.endpoint}
	if data.Conn != nil {
		e.Conn = data.Conn
	}
	t.emit(context.Background(), e)
}
