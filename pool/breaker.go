package pool

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sony/gobreaker/v2"
)

// BreakerState is the state of an endpoint's circuit breaker.
type BreakerState int32

// Breaker states. The values follow gobreaker's.
const (
	BreakerClosed   BreakerState = BreakerState(gobreaker.StateClosed)
	BreakerHalfOpen BreakerState = BreakerState(gobreaker.StateHalfOpen)
	BreakerOpen     BreakerState = BreakerState(gobreaker.StateOpen)
)

// String returns "closed", "half-open" or "open".
func (s BreakerState) String() string { return gobreaker.State(s).String() }

// MarshalText makes the state read as its name in JSON health reports.
func (s BreakerState) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a name written by MarshalText.
func (s *BreakerState) UnmarshalText(b []byte) error {
	for _, st := range []BreakerState{BreakerClosed, BreakerHalfOpen, BreakerOpen} {
		if string(b) == st.String() {
			*s = st
			return nil
		}
	}
	return fmt.Errorf("pool: unknown breaker state %q", b)
}

// BreakerConfig configures the circuit breaker each endpoint has.
type BreakerConfig struct {
	// Disabled turns the breakers off: every call reaches the server.
	Disabled bool
	// FailureThreshold is the number of consecutive infrastructure failures
	// that opens the breaker: connections that cannot be made (refused,
	// timed out, 08xxx, 57P03 cannot connect now, 53300 too many clients)
	// and network timeouts. Statement errors never count, nor does a
	// caller's canceled ctx. The loss of one established connection
	// (57P01/57P02 from pg_terminate_backend or a shutdown, a reset socket)
	// does not count either: it makes the health loop probe at once, and
	// if the server is really gone that probe's connect failure counts.
	// Default 5.
	FailureThreshold uint32
	// OpenTimeout is how long an open breaker refuses calls before it
	// half-opens. Default 5s.
	OpenTimeout time.Duration
	// HalfOpenProbes is how many calls a half-open breaker admits, and how
	// many consecutive successes close it again. The health loop's probe is
	// one of them, so an idle endpoint recovers too. Default 1.
	HalfOpenProbes uint32
	// OnStateChange, when set, receives every state change (for metrics and
	// logs). It runs outside the breaker's lock, in order per endpoint, on
	// the goroutine whose call caused the change; it may call into *DB.
	OnStateChange func(BreakerEvent)
}

// BreakerEvent is one state change of an endpoint's breaker.
type BreakerEvent struct {
	Endpoint string // "primary (host:port)" or "replica[i] (host:port)"
	// Role is EndpointPrimary or EndpointReplica: unlike Endpoint, a
	// bounded value fit for a metric label.
	Role     string
	From, To BreakerState
	At       time.Time
}

func (c BreakerConfig) withDefaults() BreakerConfig {
	if c.FailureThreshold == 0 {
		c.FailureThreshold = 5
	}
	if c.OpenTimeout == 0 {
		c.OpenTimeout = 5 * time.Second
	}
	if c.HalfOpenProbes == 0 {
		c.HalfOpenProbes = 1
	}
	return c
}

func (c BreakerConfig) validate() []error {
	if c.OpenTimeout < 0 {
		return []error{&ConfigError{Field: "Breaker.OpenTimeout", Msg: "must not be negative, got " + c.OpenTimeout.String()}}
	}
	return nil
}

// Sentinels handed to gobreaker's done callback.
var (
	errBreakerFailure  = errors.New("infrastructure failure")
	errBreakerExcluded = errors.New("caller gave up")
)

// breaker wraps a gobreaker.TwoStepCircuitBreaker with a lock-free fast
// path. gobreaker takes a mutex twice per call; in the common case (closed,
// call succeeds, no failure pending) nothing it would record matters, so
// the state is mirrored in an atomic and gobreaker is consulted only when
// the mirror is not closed, when a call fails, and for the first success
// after failures (which resets the consecutive-failure count).
type breaker struct {
	label    string
	role     string
	disabled bool
	settings gobreaker.Settings // Name is the generation, see closeNow
	cb       atomic.Pointer[gobreaker.TwoStepCircuitBreaker[struct{}]]
	gen      atomic.Uint64 // generation of cb: closeNow replaces it
	state    atomic.Int32  // BreakerState mirror, written in OnStateChange
	dirty    atomic.Bool   // a failure was reported since the last success
	openErr  error         // preallocated refusals, so failing fast is cheap
	halfErr  error
	notify   func(BreakerEvent)
	onLost   func() // a connection was lost: ask for a health check
	// onHalfOpen asks for a health check; it is scheduled for the moment
	// an open breaker half-opens, so that the probe closes it then rather
	// than at the next HealthCheckPeriod tick.
	onHalfOpen  func()
	openTimeout time.Duration

	mu         sync.Mutex // guards pending and delivering, never held while notifying
	pending    []BreakerEvent
	delivering bool
}

func newBreaker(label, role string, c BreakerConfig) *breaker {
	b := &breaker{
		label:       label,
		role:        role,
		disabled:    c.Disabled,
		notify:      c.OnStateChange,
		openTimeout: c.OpenTimeout,
		openErr:     &CircuitOpenError{Endpoint: label, State: BreakerOpen},
		halfErr:     &CircuitOpenError{Endpoint: label, State: BreakerHalfOpen},
	}
	threshold := c.FailureThreshold
	b.settings = gobreaker.Settings{
		Name:        "0",
		MaxRequests: c.HalfOpenProbes,
		Timeout:     c.OpenTimeout,
		ReadyToTrip: func(n gobreaker.Counts) bool { return n.ConsecutiveFailures >= threshold },
		IsSuccessful: func(err error) bool {
			return !errors.Is(err, errBreakerFailure)
		},
		IsExcluded:    func(err error) bool { return errors.Is(err, errBreakerExcluded) },
		OnStateChange: b.onStateChange,
	}
	b.cb.Store(gobreaker.NewTwoStepCircuitBreaker[struct{}](b.settings))
	return b
}

// onStateChange runs under gobreaker's lock: it only records. A change of a
// breaker that closeNow replaced (a late call admitted by it) is ignored.
func (b *breaker) onStateChange(name string, from, to gobreaker.State) {
	if name != strconv.FormatUint(b.gen.Load(), 10) {
		return
	}
	b.state.Store(int32(to))
	if to == gobreaker.StateOpen && b.onHalfOpen != nil {
		time.AfterFunc(b.openTimeout, b.onHalfOpen)
	}
	if b.notify == nil {
		return
	}
	b.mu.Lock()
	b.pending = append(b.pending, BreakerEvent{Endpoint: b.label, Role: b.role, From: BreakerState(from), To: BreakerState(to), At: time.Now()})
	b.mu.Unlock()
}

// deliver hands queued events to the callback outside every lock. A
// re-entrant or concurrent call leaves delivery to the goroutine already
// delivering, which keeps events in order.
func (b *breaker) deliver() {
	if b.notify == nil {
		return
	}
	b.mu.Lock()
	if b.delivering {
		b.mu.Unlock()
		return
	}
	b.delivering = true
	for len(b.pending) > 0 {
		events := b.pending
		b.pending = nil
		b.mu.Unlock()
		for _, ev := range events {
			b.notify(ev)
		}
		b.mu.Lock()
	}
	b.delivering = false
	b.mu.Unlock()
}

// ticket is an admitted call. done is nil on the fast path.
type ticket struct{ done func(error) }

// allow admits a call or refuses it with a *CircuitOpenError.
func (b *breaker) allow() (ticket, error) {
	if b.disabled || BreakerState(b.state.Load()) == BreakerClosed {
		return ticket{}, nil
	}
	done, err := b.cb.Load().Allow()
	b.deliver()
	if err != nil {
		if errors.Is(err, gobreaker.ErrTooManyRequests) {
			return ticket{}, b.halfErr
		}
		return ticket{}, b.openErr
	}
	return ticket{done: done}, nil
}

// finish records the outcome of an admitted call.
func (b *breaker) finish(t ticket, o outcome) {
	if b.disabled {
		return
	}
	if t.done != nil {
		t.done(o.breakerErr())
		b.deliver()
		if o == outcomeLost && b.onLost != nil {
			b.onLost()
		}
		return
	}
	switch o {
	case outcomeLost:
		if b.onLost != nil {
			b.onLost()
		}
	case outcomeFailure:
		b.dirty.Store(true)
		b.record(o)
	case outcomeSuccess:
		if b.dirty.Load() && b.dirty.CompareAndSwap(true, false) {
			b.record(o)
		}
	}
}

// record reports an outcome observed on the fast path.
func (b *breaker) record(o outcome) {
	if done, err := b.cb.Load().Allow(); err == nil {
		done(o.breakerErr())
	}
	b.deliver()
}

func (o outcome) breakerErr() error {
	switch o {
	case outcomeFailure:
		return errBreakerFailure
	case outcomeExcluded, outcomeLost:
		return errBreakerExcluded
	}
	return nil
}

// current returns the breaker's state, letting an expired open state turn
// half-open.
func (b *breaker) current() BreakerState {
	if b.disabled {
		return BreakerClosed
	}
	s := BreakerState(b.cb.Load().State())
	b.deliver()
	return s
}

// closeNow closes an open breaker before its OpenTimeout: the health probe
// found the server answering again (a restart, or a promotion that a
// multi-host DSN follows). gobreaker cannot be closed from outside, so a
// fresh one replaces it; a call admitted by the old one reports to the old
// one, which no longer matters.
func (b *breaker) closeNow() {
	if b.disabled || BreakerState(b.state.Load()) != BreakerOpen {
		return
	}
	b.mu.Lock()
	if BreakerState(b.state.Load()) != BreakerOpen { // another probe won
		b.mu.Unlock()
		return
	}
	st := b.settings
	st.Name = strconv.FormatUint(b.gen.Add(1), 10)
	b.cb.Store(gobreaker.NewTwoStepCircuitBreaker[struct{}](st))
	b.state.Store(int32(BreakerClosed))
	b.dirty.Store(false)
	if b.notify != nil {
		b.pending = append(b.pending, BreakerEvent{Endpoint: b.label, Role: b.role, From: BreakerOpen, To: BreakerClosed, At: time.Now()})
	}
	b.mu.Unlock()
	b.deliver()
}

// routable reports whether routing may send reads here (closed or
// half-open; an open breaker whose timeout passed becomes half-open at the
// next health probe).
func (b *breaker) routable() bool {
	return b.disabled || BreakerState(b.state.Load()) != BreakerOpen
}
