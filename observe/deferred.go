package observe

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of DeferredConfig.
const (
	DefaultFlushInterval = 100 * time.Millisecond
	DefaultMaxBuffered   = 8192
)

// DeferredConfig configures a Deferred observer.
type DeferredConfig struct {
	// Observers receive the events, in this order, on the goroutine of the
	// Deferred observer (or at once, see Immediate).
	Observers []Observer

	// FlushInterval is how often buffered events are handed to Observers.
	// Default (zero or less): DefaultFlushInterval.
	FlushInterval time.Duration

	// MaxBuffered bounds the events waiting to be handed on; beyond it,
	// events are dropped and counted (see Deferred.Dropped). Default (zero
	// or less): DefaultMaxBuffered.
	MaxBuffered int

	// Immediate reports whether an event is handed to Observers at once,
	// on the goroutine that made the call, instead of being buffered. Such
	// events keep their Args, Conn and Pool, and are never dropped.
	// Default: failed calls (OutcomeError) and slow calls, so that error
	// and slow-query lines are written when they happen, with their masked
	// arguments. Slow is the smallest SlowThreshold of the Logger and
	// SlogLogger observers in Observers (DefaultSlowThreshold when there
	// are none, or none of them counts anything as slow).
	Immediate func(e *Event) bool
}

// Deferred is an Observer that takes its observers off the call path: the
// call adds its event to a buffer, and a goroutine hands the buffered
// events to the observers every FlushInterval, without waking anyone per
// call. The observers do the same work; what the call pays is the append.
//
// Observers behind Deferred receive:
//   - the event's Start and Duration as measured during the call;
//   - the event without Args, Conn and Pool (an observer must not keep
//     those after the call), so deferred log lines show no parameter
//     shapes;
//   - the context the call ended with, kept until the flush: its values
//     (a request logger, fields, the parent span) are read then; it may
//     be canceled by that time;
//   - no ObserveStart: a StartObserver behind Deferred sees finished
//     events only (an OpenTelemetry observer then records each span after
//     the fact, with the call's times and parent, so spans of nested calls
//     are siblings rather than children).
//
// Log lines are written up to FlushInterval after the call, and carry the
// time they are written. An observer that panics behind Deferred panics
// the flushing goroutine, which ends the process, where on the call path
// it would have panicked the caller's goroutine. Call Close at shutdown,
// before the observers' own shutdown (a TracerProvider's, a log
// writer's), so the events of the last interval are not lost; Flush hands
// on what is buffered at any time.
type Deferred struct {
	byKind    [KindRelease + 1][]Observer
	immediate func(*Event) bool
	max       int

	mu      sync.Mutex
	pending []deferredEvent
	closed  bool
	dropped atomic.Int64

	flush chan chan struct{} // Flush's requests, closed when served
	stop  chan struct{}
	done  chan struct{}
	once  sync.Once
}

// deferredEvent is a buffered call: its context and its event.
type deferredEvent struct {
	ctx context.Context
	ev  *Event
}

var (
	_ KindFilter  = (*Deferred)(nil)
	_ eventKeeper = (*Deferred)(nil)
)

// eventKeeper is an Observer that keeps the events it is handed beyond
// Observe (Deferred, which keeps the tracer's own events uncopied where
// it can). The tracer then gives every acquire an event of its own.
type eventKeeper interface {
	keepsEvents()
}

func (d *Deferred) keepsEvents() {}

// NewDeferred returns a Deferred observer for cfg.Observers and starts the
// goroutine that hands them the events; Close stops it.
func NewDeferred(cfg DeferredConfig) *Deferred {
	d := &Deferred{
		byKind:    observersByKind(cfg.Observers),
		immediate: cfg.Immediate,
		max:       cfg.MaxBuffered,
		flush:     make(chan chan struct{}),
		stop:      make(chan struct{}),
		done:      make(chan struct{}),
	}
	if d.immediate == nil {
		d.immediate = failedOrSlower(slowestLogged(cfg.Observers))
	}
	if d.max <= 0 {
		d.max = DefaultMaxBuffered
	}
	interval := cfg.FlushInterval
	if interval <= 0 {
		interval = DefaultFlushInterval
	}
	go d.run(interval)
	return d
}

// slowestLogged returns the smallest positive slow threshold of the log
// observers among observers, or DefaultSlowThreshold.
func slowestLogged(observers []Observer) time.Duration {
	least := time.Duration(0)
	for _, o := range observers {
		var t time.Duration
		switch l := o.(type) {
		case *Logger:
			t = l.cfg.slowThreshold()
		case *SlogLogger:
			t = l.cfg.slowThreshold()
		}
		if t > 0 && (least == 0 || t < least) {
			least = t
		}
	}
	if least == 0 {
		return DefaultSlowThreshold
	}
	return least
}

// failedOrSlower is the default of DeferredConfig.Immediate: failed calls,
// and calls that took slow or longer.
func failedOrSlower(slow time.Duration) func(*Event) bool {
	return func(e *Event) bool {
		return e.Duration >= slow || (e.Err != nil && e.Outcome() == OutcomeError)
	}
}

// Observes implements KindFilter: a kind is observed when one of the
// observers observes it.
func (d *Deferred) Observes(k Kind) bool { return len(d.observers(k)) > 0 }

// observers returns the observers of kind k; none for a kind that is not
// one of this package's.
func (d *Deferred) observers(k Kind) []Observer {
	if int(k) >= len(d.byKind) {
		return nil
	}
	return d.byKind[k]
}

// Observe implements Observer: it buffers e, or hands it on at once when
// Immediate says so or after Close.
func (d *Deferred) Observe(ctx context.Context, e *Event) {
	if d.immediate(e) || !d.add(ctx, e) {
		d.handOn(ctx, e)
	}
}

// add buffers e. It reports false once d is closed, when the caller hands
// e on itself.
func (d *Deferred) add(ctx context.Context, e *Event) bool {
	kept := deferredEvent{ctx: ctx, ev: keepable(ctx, e)}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return false
	}
	if len(d.pending) >= d.max {
		d.dropped.Add(1)
		return true
	}
	d.pending = append(d.pending, kept)
	return true
}

// keepable returns e itself when it is the event of a call the Tracer
// carries in ctx (an acquire, a connect): the tracer allocates one per
// such call and never reuses it, so keeping it until the flush spares the
// call a copy. Other events (those of calls on a connection, whose slot
// the connection's next call reuses, and those handed to Observe by other
// code) are copied.
func keepable(ctx context.Context, e *Event) *Event {
	if c, ok := ctx.Value(callKey{}).(*callCtx); ok && &c.ev == e {
		return e
	}
	cp := *e
	cp.Args, cp.Conn, cp.Pool = nil, nil, nil
	return &cp
}

func (d *Deferred) handOn(ctx context.Context, e *Event) {
	for _, o := range d.observers(e.Kind) {
		o.Observe(ctx, e)
	}
}

// take returns the buffered events and gives the previous batch's memory
// back for the next ones. With closing, later calls of add report false.
func (d *Deferred) take(prev []deferredEvent, closing bool) []deferredEvent {
	clear(prev) // drop the references to contexts, errors and statements
	d.mu.Lock()
	defer d.mu.Unlock()
	d.closed = closing
	batch := d.pending
	d.pending = prev[:0]
	return batch
}

// run hands the buffered events on every interval until Close.
func (d *Deferred) run(interval time.Duration) {
	defer close(d.done)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	var batch []deferredEvent
	var ev Event
	for closing := false; !closing; {
		var flushed chan struct{}
		select {
		case <-tick.C:
		case flushed = <-d.flush:
		case <-d.stop:
			closing = true
		}
		batch = d.take(batch, closing)
		for _, b := range batch {
			// A copy: the call's other observers may still be reading
			// the event, and the observers here may not see what must
			// not outlive the call.
			ev = *b.ev
			ev.Args, ev.Conn, ev.Pool = nil, nil, nil
			d.handOn(b.ctx, &ev)
		}
		if flushed != nil {
			close(flushed)
		}
	}
}

// Flush hands the events buffered so far on now and returns when the
// observers have had them, or with ctx's error if ctx ends first. Events
// of calls ending meanwhile may or may not be included. After Close it
// has nothing to do and returns nil. Tests of code traced through a
// Deferred use it before they look at logs, metrics or spans.
func (d *Deferred) Flush(ctx context.Context) error {
	flushed := make(chan struct{})
	select {
	case d.flush <- flushed:
	case <-d.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-flushed:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close hands the buffered events on and stops the goroutine; events of
// calls that end later are handed on by the calling goroutine. It returns
// ctx's error if ctx ends first. Close may be called more than once.
func (d *Deferred) Close(ctx context.Context) error {
	d.once.Do(func() { close(d.stop) })
	select {
	case <-d.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Dropped returns how many events were dropped because MaxBuffered were
// already waiting.
func (d *Deferred) Dropped() int64 { return d.dropped.Load() }
