package observe

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/normkit/norm/internal/redact"
)

// Kind says which pgx call an Event describes.
type Kind uint8

// The kinds of Event, one per traced pgx call.
const (
	KindQuery   Kind = iota + 1 // Exec, Query, QueryRow
	KindBatch                   // SendBatch, one event for the whole batch
	KindCopy                    // CopyFrom
	KindPrepare                 // Prepare, explicit or by the statement cache
	KindConnect                 // a new connection
	KindAcquire                 // pgxpool.Pool.Acquire, explicit or implicit
	KindRelease                 // a pooled connection goes back to the pool
)

// String returns the lower-case name of the kind ("query", "batch", ...).
func (k Kind) String() string {
	switch k {
	case KindQuery:
		return "query"
	case KindBatch:
		return "batch"
	case KindCopy:
		return "copy"
	case KindPrepare:
		return "prepare"
	case KindConnect:
		return "connect"
	case KindAcquire:
		return "acquire"
	case KindRelease:
		return "release"
	}
	return "unknown"
}

// Outcomes of an Event, used as a bounded metric label.
const (
	OutcomeOK       = "ok"
	OutcomeError    = "error"
	OutcomeNoRows   = "no_rows"  // pgx.ErrNoRows: expected, not a failure
	OutcomeCanceled = "canceled" // the caller's context was canceled
)

// Event is the record of one traced pgx call, handed to every Observer
// when the call ends. Observers must not keep e, or Args, after Observe
// returns.
type Event struct {
	Kind Kind

	// Statement is the normalised statement of a query or prepare, and the
	// first statement of a batch. It is nil for other kinds.
	Statement *Statement

	// Args are the raw parameter values of a query. They must never be
	// written anywhere without going through a Mask.
	Args []any

	Start    time.Time
	Duration time.Duration

	// Rows is the number of rows returned or affected, from the command
	// tag; for a batch, the sum over its statements.
	Rows int64

	// Queries is the number of statements in a batch.
	Queries int

	// Err is the error the call ended with, if any. For a batch it is the
	// first statement error, or the batch error.
	Err error

	// Endpoint is the name of the server role ("primary", "replica") taken
	// from WithEndpoint or, failing that, Config.Endpoint. May be empty.
	Endpoint string

	// Table is the target table of a COPY, sanitized as an identifier.
	Table string

	// Name is the name of a prepared statement.
	Name string

	// Database and Host are set for KindConnect.
	Database, Host string
	Port           uint16

	// Conn is the connection used, when pgx provides it; Pool is the pool
	// for KindAcquire and KindRelease.
	Conn *pgx.Conn
	Pool *pgxpool.Pool
}

// Op returns the bounded operation label of the event: the statement kind
// for queries (select/insert/update/delete/other), otherwise the event kind
// (batch, copy, prepare, connect, acquire, release).
func (e *Event) Op() string {
	if e.Kind == KindQuery && e.Statement != nil {
		return e.Statement.Op
	}
	return e.Kind.String()
}

// Outcome classifies Err: OutcomeOK, OutcomeNoRows, OutcomeCanceled or
// OutcomeError. No rows and cancellation by the caller are expected and not
// counted as failures.
func (e *Event) Outcome() string {
	switch {
	case e.Err == nil:
		return OutcomeOK
	case errors.Is(e.Err, pgx.ErrNoRows):
		return OutcomeNoRows
	case errors.Is(e.Err, context.Canceled):
		return OutcomeCanceled
	}
	return OutcomeError
}

// SQLState returns the SQLSTATE of Err when it is a server error, else "".
func (e *Event) SQLState() string {
	var pgErr *pgconn.PgError
	if errors.As(e.Err, &pgErr) {
		return redact.SQLState(pgErr.Code)
	}
	return ""
}

// ErrorClass returns the SQLSTATE class (its first two characters) of Err,
// "client" for errors that did not come from the server (network, encoding,
// timeouts), or "" when the outcome is not an error.
func (e *Event) ErrorClass() string {
	if e.Outcome() != OutcomeError {
		return ""
	}
	if code := e.SQLState(); len(code) >= 2 {
		return code[:2]
	}
	return "client"
}

// Observer receives one Event per traced call. Observe is called on the
// goroutine that made the call, after it finished, so it should be quick.
type Observer interface {
	Observe(ctx context.Context, e *Event)
}

// StartObserver is an Observer that also acts when a call starts, such as
// a tracing observer opening a span that the call's context then carries.
//
// The tracer calls ObserveStart before the call, once per call and in the
// order of Config.Observers, for every kind the observer handles except
// KindRelease (pgx gives releases no context). e holds what is known then:
// Kind, Start, Endpoint, Statement and Args of a query or prepare, Queries
// of a batch, Table of a COPY, Name, Database, Host, Port, Conn and Pool.
// ObserveStart returns the context the call runs with: ctx itself or one
// derived from it. Observe is called when the call ends with the same e,
// and with a context derived from the one ObserveStart returned.
type StartObserver interface {
	Observer
	ObserveStart(ctx context.Context, e *Event) context.Context
}

// KindFilter may be implemented by an Observer to say which kinds of event
// it handles. The tracer asks once, in New, and skips observers for kinds
// they do not handle, and skips building release events altogether when no
// observer handles them. Observers without it receive every kind.
type KindFilter interface {
	Observes(k Kind) bool
}

// ObserverFunc adapts a function to Observer.
type ObserverFunc func(ctx context.Context, e *Event)

// Observe calls f(ctx, e).
func (f ObserverFunc) Observe(ctx context.Context, e *Event) { f(ctx, e) }
