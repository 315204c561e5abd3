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
// Acquire and Release). A Tracer is safe for concurrent use and takes no
// locks: the event of a call on a connection (query, batch, COPY,
// prepare) is kept in a slot of that connection, which serves one call at
// a time, and reused by its next call; that of a connect or an acquire is
// kept in the context pgx carries from start to end.
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
	// tables remembers the sanitized name of each COPY target of one or
	// two parts, bounded like statements. Shared by ForEndpoint's copies.
	tables *lookup.Map[tableKey, string]
	// connKey names this tracer's slots in a connection's CustomData
	// (see connCalls); each tracer, ForEndpoint's copies included, has
	// its own.
	connKey string
	// lightAcquire: no observer of acquires acts at their start or keeps
	// their events (Deferred), so an acquire carries only its start time
	// in its context (acquireCtx) and its event lives in the connection.
	lightAcquire bool
}

// tableKey is a COPY target of one part (schema empty) or two.
type tableKey struct{ schema, name string }

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
	t.lightAcquire = true
	for _, o := range t.byKind[KindAcquire] {
		if _, ok := o.(StartObserver); ok {
			t.lightAcquire = false
		}
		if _, ok := o.(eventKeeper); ok {
			t.lightAcquire = false
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
	t.tables = lookup.New[tableKey, string](size)
	t.connKey = newConnKey()
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
	c.connKey = newConnKey()
	return &c
}

// statement returns the normalised form of sql.
func (t *Tracer) statement(sql string) *Statement {
	return t.statements.LoadOrAdd(sql, func() *Statement {
		st := NewStatement(sql)
		return &st
	})
}

// table returns the sanitized name of a COPY target, from the cache for
// names of one or two parts.
func (t *Tracer) table(id pgx.Identifier) string {
	var k tableKey
	switch len(id) {
	case 1:
		k.name = id[0]
	case 2:
		k.schema, k.name = id[0], id[1]
		if k.schema == "" {
			return id.Sanitize() // not the key of a one-part name
		}
	default:
		return id.Sanitize()
	}
	return t.tables.LoadOrAdd(k, id.Sanitize)
}

// callCtx carries the Event of a call that does not run on a connection
// (connect, acquire) from the start hook to the end hook. Embedding the
// parent context and answering Value for our key makes it one allocation
// instead of two (event + context.WithValue); Done, Err and Deadline are
// the parent's, so cancellation is unaffected.
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
// is allocated and the end hook finds no call. The event of a call on a
// connection lives in the connection's slot for its kind (see connCalls),
// so the call allocates nothing for it; otherwise it lives in a callCtx,
// returned too, which the hook hands to pgx as the call's context.
func (t *Tracer) begin(ctx context.Context, conn *pgx.Conn, kind Kind) (*Event, *callCtx, bool) {
	if len(t.byKind[kind]) == 0 {
		return nil, nil, false
	}
	var e *Event
	var c *callCtx
	if s := t.connSlot(conn, kind); s != nil {
		s.ev = Event{}
		s.open = true
		e = &s.ev
	} else {
		c = &callCtx{Context: ctx}
		e = &c.ev
	}
	e.Kind = kind
	e.Start = t.now()
	e.Endpoint = EndpointFrom(ctx)
	if e.Endpoint == "" {
		e.Endpoint = t.endpoint
	}
	e.Conn = conn
	return e, c, true
}

// run hands a call whose start data is filled in to the start observers
// and returns the context pgx carries until the end hook: the callCtx c
// when there is one, else the context the start observers returned.
func (t *Tracer) run(ctx context.Context, e *Event, c *callCtx) context.Context {
	if c != nil {
		ctx = c.Context
	}
	for _, o := range t.startByKind[e.Kind] {
		ctx = o.ObserveStart(ctx, e)
	}
	if c == nil {
		return ctx
	}
	c.Context = ctx
	return c
}

// current returns the event of the call of the given kind in progress on
// conn, or started in ctx. The kind must match: a prepare made inside a
// query sees the query's call in ctx when nobody observes prepares, and
// must not end it. A call without a started event (the tracer was swapped
// mid-call) is ignored rather than reported with a made-up duration.
func (t *Tracer) current(ctx context.Context, conn *pgx.Conn, kind Kind) (*Event, *connCall, bool) {
	if len(t.byKind[kind]) == 0 {
		return nil, nil, false
	}
	if s := t.connSlot(conn, kind); s != nil && s.open {
		return &s.ev, s, true
	}
	c, ok := ctx.Value(callKey{}).(*callCtx)
	if !ok || c.ev.Kind != kind {
		return nil, nil, false
	}
	return &c.ev, nil, true
}

// finish completes event e of a call and hands it to the observers, then
// empties the connection's slot s (nil for a callCtx's event), so it holds
// no argument, error or statement until the next call.
func (t *Tracer) finish(ctx context.Context, e *Event, s *connCall, err error) {
	e.Duration = t.since(e.Start)
	if e.Err == nil {
		e.Err = err
	}
	t.emit(ctx, e)
	if s != nil {
		s.ev = Event{}
		s.open = false
	}
}

func (t *Tracer) emit(ctx context.Context, e *Event) {
	for _, o := range t.byKind[e.Kind] {
		o.Observe(ctx, e)
	}
}

// TraceQueryStart implements pgx.QueryTracer.
func (t *Tracer) TraceQueryStart(ctx context.Context, conn *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	e, c, ok := t.begin(ctx, conn, KindQuery)
	if !ok {
		return ctx
	}
	e.Statement = t.statement(data.SQL)
	e.Args = data.Args
	return t.run(ctx, e, c)
}

// TraceQueryEnd implements pgx.QueryTracer.
func (t *Tracer) TraceQueryEnd(ctx context.Context, conn *pgx.Conn, data pgx.TraceQueryEndData) {
	if e, s, ok := t.current(ctx, conn, KindQuery); ok {
		e.Rows = data.CommandTag.RowsAffected()
		t.finish(ctx, e, s, data.Err)
	}
}

// TraceBatchStart implements pgx.BatchTracer.
func (t *Tracer) TraceBatchStart(ctx context.Context, conn *pgx.Conn, data pgx.TraceBatchStartData) context.Context {
	e, c, ok := t.begin(ctx, conn, KindBatch)
	if !ok {
		return ctx
	}
	if data.Batch != nil {
		e.Queries = data.Batch.Len()
	}
	return t.run(ctx, e, c)
}

// TraceBatchQuery implements pgx.BatchTracer: it adds the statement's rows
// and error to the batch event instead of producing an event of its own.
func (t *Tracer) TraceBatchQuery(ctx context.Context, conn *pgx.Conn, data pgx.TraceBatchQueryData) {
	e, _, ok := t.current(ctx, conn, KindBatch)
	if !ok {
		return
	}
	if e.Statement == nil {
		e.Statement = t.statement(data.SQL)
	}
	e.Rows += data.CommandTag.RowsAffected()
	if e.Err == nil {
		e.Err = data.Err
	}
}

// TraceBatchEnd implements pgx.BatchTracer.
func (t *Tracer) TraceBatchEnd(ctx context.Context, conn *pgx.Conn, data pgx.TraceBatchEndData) {
	if e, s, ok := t.current(ctx, conn, KindBatch); ok {
		t.finish(ctx, e, s, data.Err)
	}
}

// TraceCopyFromStart implements pgx.CopyFromTracer.
func (t *Tracer) TraceCopyFromStart(ctx context.Context, conn *pgx.Conn, data pgx.TraceCopyFromStartData) context.Context {
	e, c, ok := t.begin(ctx, conn, KindCopy)
	if !ok {
		return ctx
	}
	e.Table = t.table(data.TableName)
	return t.run(ctx, e, c)
}

// TraceCopyFromEnd implements pgx.CopyFromTracer.
func (t *Tracer) TraceCopyFromEnd(ctx context.Context, conn *pgx.Conn, data pgx.TraceCopyFromEndData) {
	if e, s, ok := t.current(ctx, conn, KindCopy); ok {
		e.Rows = data.CommandTag.RowsAffected()
		t.finish(ctx, e, s, data.Err)
	}
}

// TracePrepareStart implements pgx.PrepareTracer.
func (t *Tracer) TracePrepareStart(ctx context.Context, conn *pgx.Conn, data pgx.TracePrepareStartData) context.Context {
	e, c, ok := t.begin(ctx, conn, KindPrepare)
	if !ok {
		return ctx
	}
	e.Name = data.Name
	e.Statement = t.statement(data.SQL)
	return t.run(ctx, e, c)
}

// TracePrepareEnd implements pgx.PrepareTracer.
func (t *Tracer) TracePrepareEnd(ctx context.Context, conn *pgx.Conn, data pgx.TracePrepareEndData) {
	if e, s, ok := t.current(ctx, conn, KindPrepare); ok {
		t.finish(ctx, e, s, data.Err)
	}
}

// TraceConnectStart implements pgx.ConnectTracer. The event carries the
// database, host and port, never the password.
func (t *Tracer) TraceConnectStart(ctx context.Context, data pgx.TraceConnectStartData) context.Context {
	e, c, ok := t.begin(ctx, nil, KindConnect)
	if !ok {
		return ctx
	}
	if cfg := data.ConnConfig; cfg != nil {
		e.Database = cfg.Database
		e.Host = cfg.Host
		e.Port = cfg.Port
	}
	return t.run(ctx, e, c)
}

// TraceConnectEnd implements pgx.ConnectTracer.
func (t *Tracer) TraceConnectEnd(ctx context.Context, data pgx.TraceConnectEndData) {
	if e, s, ok := t.current(ctx, nil, KindConnect); ok {
		e.Conn = data.Conn
		t.finish(ctx, e, s, data.Err)
	}
}

// TraceAcquireStart implements pgxpool.AcquireTracer.
func (t *Tracer) TraceAcquireStart(ctx context.Context, pool *pgxpool.Pool, _ pgxpool.TraceAcquireStartData) context.Context {
	if t.lightAcquire {
		if len(t.byKind[KindAcquire]) == 0 {
			return ctx
		}
		return &acquireCtx{Context: ctx, start: t.now()}
	}
	e, c, ok := t.begin(ctx, nil, KindAcquire)
	if !ok {
		return ctx
	}
	e.Pool = pool
	return t.run(ctx, e, c)
}

// TraceAcquireEnd implements pgxpool.AcquireTracer. The event's Duration is
// the time spent waiting for a connection.
func (t *Tracer) TraceAcquireEnd(ctx context.Context, pool *pgxpool.Pool, data pgxpool.TraceAcquireEndData) {
	if a, ok := ctx.(*acquireCtx); ok {
		t.endAcquire(ctx, a.start, pool, data)
		return
	}
	if e, s, ok := t.current(ctx, nil, KindAcquire); ok {
		e.Conn = data.Conn // nil when the acquire failed, as it was
		t.finish(ctx, e, s, data.Err)
	}
}

// acquireCtx carries the start of an acquire to its end hook when the
// tracer's lightAcquire holds. The event is made only then, in the slot
// of the connection acquired (on a heap when the acquire failed), so the
// call allocates a context and a time instead of a whole event.
type acquireCtx struct {
	context.Context
	start time.Time
}

// endAcquire completes the acquire that started at start and hands it to
// the observers with ctx, its acquireCtx.
func (t *Tracer) endAcquire(ctx context.Context, start time.Time, pool *pgxpool.Pool, data pgxpool.TraceAcquireEndData) {
	s := t.connSlot(data.Conn, KindAcquire)
	var e *Event
	if s != nil {
		s.ev = Event{}
		s.open = true
		e = &s.ev
	} else {
		e = &Event{}
	}
	e.Kind = KindAcquire
	e.Start = start
	e.Endpoint = EndpointFrom(ctx)
	if e.Endpoint == "" {
		e.Endpoint = t.endpoint
	}
	e.Pool = pool
	e.Conn = data.Conn // nil when the acquire failed, as it was
	t.finish(ctx, e, s, data.Err)
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
