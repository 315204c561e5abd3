package observe

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/normkit/norm/observe/internal/lookup"
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

	// Now returns the current time; tests replace it. Default: the time
	// time.Now would return, told from the monotonic clock alone between
	// readings of the wall clock at most a minute apart (one clock read
	// instead of two); a step of the wall clock shows within that minute.
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
	byKind      [KindRelease + 1][]Observer      // observers per Kind
	startByKind [KindRelease + 1][]StartObserver // those of byKind that act at the start
	endpoint    string
	now         func() time.Time
	since       func(time.Time) time.Duration
	// statements remembers the Statement of each SQL text seen, so the
	// lexer runs once per distinct statement; bounded, so applications
	// that inline literals cannot make it grow without end (theirs are
	// normalised on every call). Shared by the copies ForEndpoint makes.
	statements *lookup.Map[string, *Statement]
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
		since:    time.Since, // reads only the monotonic clock
	}
	t.byKind = observersByKind(cfg.Observers)
	for k := KindQuery; k < KindRelease; k++ { // releases have no start
		for _, o := range t.byKind[k] {
			if so, ok := o.(StartObserver); ok {
				t.startByKind[k] = append(t.startByKind[k], so)
			}
		}
	}
	if t.now == nil {
		t.now = newMonoClock().Now
	} else {
		now := t.now
		t.since = func(start time.Time) time.Duration { return now().Sub(start) }
	}
	size := cfg.StatementCacheSize
	if size == 0 {
		size = 1024
	}
	t.statements = lookup.New[string, *Statement](size)
	return t
}

// observersByKind lists, for each kind, the observers that handle it (all
// but those whose KindFilter declines it), in their order.
func observersByKind(observers []Observer) (by [KindRelease + 1][]Observer) {
	for k := KindQuery; k <= KindRelease; k++ {
		for _, o := range observers {
			if f, ok := o.(KindFilter); !ok || f.Observes(k) {
				by[k] = append(by[k], o)
			}
		}
	}
	return by
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

// statement returns the normalised form of sql.
func (t *Tracer) statement(sql string) *Statement {
	return t.statements.LoadOrAdd(sql, func() *Statement {
		st := NewStatement(sql)
		return &st
	})
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

// begin opens a call of the given kind, or reports that no observer
// handles the kind, in which case the hook returns ctx unchanged: nothing
// is allocated and the end hook finds no call.
func (t *Tracer) begin(ctx context.Context, kind Kind) (*callCtx, bool) {
	if len(t.byKind[kind]) == 0 {
		return nil, false
	}
	c := &callCtx{Context: ctx}
	c.ev.Kind = kind
	c.ev.Start = t.now()
	c.ev.Endpoint = EndpointFrom(ctx)
	if c.ev.Endpoint == "" {
		c.ev.Endpoint = t.endpoint
	}
	return c, true
}

// run hands a call whose start data is filled in to the start observers
// and returns the context pgx carries until the end hook.
func (t *Tracer) run(c *callCtx) context.Context {
	for _, o := range t.startByKind[c.ev.Kind] {
		c.Context = o.ObserveStart(c.Context, &c.ev)
	}
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

// finish completes the event of call c and hands it to the observers. End
// hooks find c with call; a ctx without a started call (the tracer was
// swapped mid-call) is ignored rather than reported with a made-up
// duration.
func (t *Tracer) finish(ctx context.Context, c *callCtx, err error) {
	e := &c.ev
	e.Duration = t.since(e.Start)
	if e.Err == nil {
		e.Err = err
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
	c, ok := t.begin(ctx, KindQuery)
	if !ok {
		return ctx
	}
	c.ev.Statement = t.statement(data.SQL)
	c.ev.Args = data.Args
	c.ev.Conn = conn
	return t.run(c)
}

// TraceQueryEnd implements pgx.QueryTracer.
func (t *Tracer) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryEndData) {
	if c, ok := call(ctx, KindQuery); ok {
		c.ev.Rows = data.CommandTag.RowsAffected()
		t.finish(ctx, c, data.Err)
	}
}

// TraceBatchStart implements pgx.BatchTracer.
func (t *Tracer) TraceBatchStart(ctx context.Context, conn *pgx.Conn, data pgx.TraceBatchStartData) context.Context {
	c, ok := t.begin(ctx, KindBatch)
	if !ok {
		return ctx
	}
	c.ev.Conn = conn
	if data.Batch != nil {
		c.ev.Queries = data.Batch.Len()
	}
	return t.run(c)
}

// TraceBatchQuery implements pgx.BatchTracer: it adds the statement's rows
// and error to the batch event instead of producing an event of its own.
func (t *Tracer) TraceBatchQuery(ctx context.Context, _ *pgx.Conn, data pgx.TraceBatchQueryData) {
	c, ok := call(ctx, KindBatch)
	if !ok {
		return
	}
	if c.ev.Statement == nil {
		c.ev.Statement = t.statement(data.SQL)
	}
	c.ev.Rows += data.CommandTag.RowsAffected()
	if c.ev.Err == nil {
		c.ev.Err = data.Err
	}
}

// TraceBatchEnd implements pgx.BatchTracer.
func (t *Tracer) TraceBatchEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceBatchEndData) {
	if c, ok := call(ctx, KindBatch); ok {
		t.finish(ctx, c, data.Err)
	}
}

// TraceCopyFromStart implements pgx.CopyFromTracer.
func (t *Tracer) TraceCopyFromStart(ctx context.Context, conn *pgx.Conn, data pgx.TraceCopyFromStartData) context.Context {
	c, ok := t.begin(ctx, KindCopy)
	if !ok {
		return ctx
	}
	c.ev.Conn = conn
	c.ev.Table = data.TableName.Sanitize()
	return t.run(c)
}

// TraceCopyFromEnd implements pgx.CopyFromTracer.
func (t *Tracer) TraceCopyFromEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceCopyFromEndData) {
	if c, ok := call(ctx, KindCopy); ok {
		c.ev.Rows = data.CommandTag.RowsAffected()
		t.finish(ctx, c, data.Err)
	}
}

// TracePrepareStart implements pgx.PrepareTracer.
func (t *Tracer) TracePrepareStart(ctx context.Context, conn *pgx.Conn, data pgx.TracePrepareStartData) context.Context {
	c, ok := t.begin(ctx, KindPrepare)
	if !ok {
		return ctx
	}
	c.ev.Conn = conn
	c.ev.Name = data.Name
	c.ev.Statement = t.statement(data.SQL)
	return t.run(c)
}

// TracePrepareEnd implements pgx.PrepareTracer.
func (t *Tracer) TracePrepareEnd(ctx context.Context, _ *pgx.Conn, data pgx.TracePrepareEndData) {
	if c, ok := call(ctx, KindPrepare); ok {
		t.finish(ctx, c, data.Err)
	}
}

// TraceConnectStart implements pgx.ConnectTracer. The event carries the
// database, host and port, never the password.
func (t *Tracer) TraceConnectStart(ctx context.Context, data pgx.TraceConnectStartData) context.Context {
	c, ok := t.begin(ctx, KindConnect)
	if !ok {
		return ctx
	}
	if cfg := data.ConnConfig; cfg != nil {
		c.ev.Database = cfg.Database
		c.ev.Host = cfg.Host
		c.ev.Port = cfg.Port
	}
	return t.run(c)
}

// TraceConnectEnd implements pgx.ConnectTracer.
func (t *Tracer) TraceConnectEnd(ctx context.Context, data pgx.TraceConnectEndData) {
	if c, ok := call(ctx, KindConnect); ok {
		c.ev.Conn = data.Conn
		t.finish(ctx, c, data.Err)
	}
}

// TraceAcquireStart implements pgxpool.AcquireTracer.
func (t *Tracer) TraceAcquireStart(ctx context.Context, pool *pgxpool.Pool, _ pgxpool.TraceAcquireStartData) context.Context {
	c, ok := t.begin(ctx, KindAcquire)
	if !ok {
		return ctx
	}
	c.ev.Pool = pool
	return t.run(c)
}

// TraceAcquireEnd implements pgxpool.AcquireTracer. The event's Duration is
// the time spent waiting for a connection.
func (t *Tracer) TraceAcquireEnd(ctx context.Context, _ *pgxpool.Pool, data pgxpool.TraceAcquireEndData) {
	if c, ok := call(ctx, KindAcquire); ok {
		c.ev.Conn = data.Conn // nil when the acquire failed, as it was
		t.finish(ctx, c, data.Err)
	}
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
