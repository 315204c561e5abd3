package otel

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/normkit/norm/observe"
	"go.opentelemetry.io/otel/trace"
)

// Defaults of Config.FlushInterval and Config.MaxBuffered.
const (
	DefaultFlushInterval = 100 * time.Millisecond
	DefaultMaxBuffered   = 8192
)

// deferral holds the events of finished calls until a goroutine records
// them as spans (Config.Deferred). Adding takes a mutex held for a copy,
// never a wake-up of another goroutine: the recorder wakes on its own
// every interval.
type deferral struct {
	mu      sync.Mutex
	pending []deferredSpan
	closed  bool
	max     int
	dropped atomic.Int64

	stop chan struct{}
	done chan struct{}
	once sync.Once
}

// deferredSpan is a finished call: a copy of its event, without what an
// observer may not keep (Args, Conn, Pool), and the span it belongs under.
type deferredSpan struct {
	parent trace.SpanContext
	ev     observe.Event
}

func newDeferral(cfg Config) *deferral {
	d := &deferral{max: cfg.MaxBuffered, stop: make(chan struct{}), done: make(chan struct{})}
	if d.max <= 0 {
		d.max = DefaultMaxBuffered
	}
	return d
}

// add buffers e under parent. It reports false once the deferral is
// closed, when the caller must record the span itself.
func (d *deferral) add(parent trace.SpanContext, e *observe.Event) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return false
	}
	if len(d.pending) >= d.max {
		d.dropped.Add(1)
		return true
	}
	d.pending = append(d.pending, deferredSpan{parent: parent, ev: *e})
	ev := &d.pending[len(d.pending)-1].ev
	ev.Args, ev.Conn, ev.Pool = nil, nil, nil
	return true
}

// take returns the buffered spans and gives the previous batch's memory
// back for the next ones. With closing, later calls of add report false:
// their spans are recorded by the caller.
func (d *deferral) take(prev []deferredSpan, closing bool) []deferredSpan {
	clear(prev) // drop references to errors and statements
	d.mu.Lock()
	defer d.mu.Unlock()
	d.closed = closing
	batch := d.pending
	d.pending = prev[:0]
	return batch
}

// run records the buffered spans every interval until Close.
func (o *Observer) run(interval time.Duration) {
	defer close(o.deferred.done)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	var batch []deferredSpan
	for closing := false; !closing; {
		select {
		case <-tick.C:
		case <-o.deferred.stop:
			closing = true
		}
		batch = o.deferred.take(batch, closing)
		o.record(batch)
	}
}

func (o *Observer) record(batch []deferredSpan) {
	for i := range batch {
		ctx := context.Background()
		if batch[i].parent.IsValid() {
			ctx = trace.ContextWithSpanContext(ctx, batch[i].parent)
		}
		o.spanAfter(ctx, &batch[i].ev)
	}
}

// Close records the deferred spans still buffered and stops the goroutine
// that records them; spans of calls that end later are recorded on the
// calling goroutine. It returns ctx's error if ctx ends first. Without
// Config.Deferred it does nothing. Close may be called more than once.
func (o *Observer) Close(ctx context.Context) error {
	if o.deferred == nil {
		return nil
	}
	o.deferred.once.Do(func() { close(o.deferred.stop) })
	select {
	case <-o.deferred.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Dropped returns how many deferred spans were dropped because
// Config.MaxBuffered were already waiting to be recorded.
func (o *Observer) Dropped() int64 {
	if o.deferred == nil {
		return 0
	}
	return o.deferred.dropped.Load()
}
