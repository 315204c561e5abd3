package pool

import "errors"

// ErrClosed is returned by every call made after Shutdown (or Close) began,
// and by statements of a transaction still open when Shutdown's deadline
// passed.
var ErrClosed = errors.New("pool: closed")

// ErrCircuitOpen is matched (errors.Is) by every error returned because an
// endpoint's circuit breaker refused the call. The concrete error is a
// *CircuitOpenError naming the endpoint.
var ErrCircuitOpen = errors.New("pool: circuit breaker open")

// ErrSessionState is matched (errors.Is) by the error returned when a
// session-level statement is sent through *DB outside a transaction. The
// concrete error is a *SessionStateError saying what to use instead.
var ErrSessionState = errors.New("pool: session-level statement outside a transaction")

// CircuitOpenError reports a call refused by an open (or saturated
// half-open) circuit breaker. It matches ErrCircuitOpen.
type CircuitOpenError struct {
	Endpoint string // "primary (host:port)" or "replica[i] (host:port)"
	State    BreakerState
}

func (e *CircuitOpenError) Error() string {
	return "pool: circuit breaker " + e.State.String() + " for " + e.Endpoint + ": call refused"
}

// Is reports whether target is ErrCircuitOpen.
func (e *CircuitOpenError) Is(target error) bool { return target == ErrCircuitOpen }

// SessionStateError reports a statement that would change the state of
// one random pooled connection (see the package doc, "Session hygiene").
// It matches ErrSessionState.
type SessionStateError struct {
	Statement string // what was recognized, e.g. "SET without LOCAL"
	Instead   string // what to use instead
}

func (e *SessionStateError) Error() string {
	return "pool: refusing " + e.Statement + " outside a transaction: it would change one random pooled " +
		"connection and leak to its next user; " + e.Instead
}

// Is reports whether target is ErrSessionState.
func (e *SessionStateError) Is(target error) bool { return target == ErrSessionState }
