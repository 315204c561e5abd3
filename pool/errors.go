package pool

import (
	"context"
	"errors"
	"fmt"

	"github.com/normkit/norm/internal/redact"
)

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

// ErrMisuse is matched (errors.Is) by errors that report a programming
// mistake in how *DB was called: a nil context.Context, a nil transaction
// function, or a DB that was not made by Open. Such calls return an error
// saying what was wrong instead of panicking.
var ErrMisuse = errors.New("pool: misuse")

// errNotOpened and errNilCtx are the two misuses every method checks.
var (
	errNotOpened = fmt.Errorf("%w: DB was not opened with pool.Open (zero value or nil *DB)", ErrMisuse)
	errNilCtx    = fmt.Errorf("%w: nil context (use context.Background() or a request's ctx)", ErrMisuse)
	errNilTxFunc = fmt.Errorf("%w: InTx called with a nil function", ErrMisuse)
)

// ErrOutcomeUnknown is matched (errors.Is) by the error of a statement —
// or the COMMIT of a transaction — whose connection was lost after it was
// sent to the primary: the server may have run and committed it, or not.
// pool never replays such a statement unless replay is provably harmless
// (it ran on a replica, or ctx was marked with Idempotent), so the caller
// must find out (read the row back, use an idempotency key) before trying
// again. The concrete error is an *OutcomeUnknownError.
var ErrOutcomeUnknown = errors.New("pool: outcome unknown")

// OutcomeUnknownError reports a statement whose outcome is unknown (see
// ErrOutcomeUnknown). It matches ErrOutcomeUnknown and unwraps to the
// connection error.
type OutcomeUnknownError struct {
	Endpoint string // "primary (host:port)"
	// What is "statement", "batch", "copy" or "commit".
	What string
	Err  error
}

func (e *OutcomeUnknownError) Error() string {
	return "pool: " + e.Endpoint + ": connection lost after the " + e.What +
		" was sent: it may or may not have been committed (not retried: replay is not provably harmless): " + safeText(e.Err)
}

// Unwrap returns the connection error.
func (e *OutcomeUnknownError) Unwrap() error { return e.Err }

// Is reports whether target is ErrOutcomeUnknown.
func (e *OutcomeUnknownError) Is(target error) bool { return target == ErrOutcomeUnknown }

// ctxCauseError is a statement error that the end of ctx caused — the
// server's 57014 answer to the cancel request, or a connection closed
// after the grace period — joined with ctx's error, so that errors.Is
// matches context.DeadlineExceeded or context.Canceled as well as the
// server's error.
type ctxCauseError struct {
	err   error
	cause error
}

func (e *ctxCauseError) Error() string   { return safeText(e.err) + " (" + e.cause.Error() + ")" }
func (e *ctxCauseError) Unwrap() []error { return []error{e.err, e.cause} }

// withCause shapes an error pool returns from a statement: joined with
// ctx's error when ctx has ended and err does not already match it, and
// with any value the server quoted redacted from its text (the
// *pgconn.PgError stays reachable with errors.As). It costs nothing on
// success.
func withCause(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	cause := ctx.Err()
	if cause == nil || errors.Is(err, cause) {
		return redact.Wrap(err)
	}
	return &ctxCauseError{err: err, cause: cause}
}

// safeText is err's message, redacted when it may quote a value (a server
// error, a pgx scan or encode error; see internal/redact): the text of an
// error pool wraps carries no value, and errors.As still finds the
// *pgconn.PgError.
func safeText(err error) string {
	return redact.Wrap(err).Error()
}
