package pool

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

func pgErr(code, msg string) error {
	return &pgconn.PgError{Code: code, Message: msg, Severity: "ERROR"}
}

// fatalErr is a server error that ended the session.
func fatalErr(code, msg string) error {
	return &pgconn.PgError{Code: code, Message: msg, Severity: "FATAL", SeverityUnlocalized: "FATAL"}
}

type safeErr struct{}

func (safeErr) Error() string     { return "nothing sent" }
func (safeErr) SafeToRetry() bool { return true }

// closedErr is how pgx reports a connection that broke while the reply to
// a simple-protocol statement was read: "conn closed", called safe.
type closedErr struct{}

func (closedErr) Error() string     { return "conn closed" }
func (closedErr) SafeToRetry() bool { return true }
func (closedErr) Unwrap() error     { return pgconn.ErrConnClosed }

func TestIsInfraFailure(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"unique violation", pgErr("23505", "duplicate key"), false},
		{"syntax error", pgErr("42601", "syntax error"), false},
		{"no rows", pgx.ErrNoRows, false},
		{"serialization failure", pgErr("40001", "could not serialize"), false},
		{"statement timeout", pgErr("57014", "canceling statement"), false},
		{"admin shutdown ends one connection", pgErr("57P01", "terminating connection"), false},
		{"crash shutdown ends one connection", pgErr("57P02", "crash"), false},
		{"cannot connect now", pgErr("57P03", "starting up"), true},
		{"too many connections", pgErr("53300", "too many clients"), true},
		{"connection failure ends one connection", pgErr("08006", "connection failure"), false},
		{"wrapped cannot establish", fmt.Errorf("ctx: %w", fatalErr("08001", "x")), true},
		{"PgBouncer ends the session", fatalErr("08P01", "server login has been failing"), true},
		{"hostile value refused by the protocol", pgErr("08P01", "invalid message format"), false},
		{"connection-class ERROR the session survives", pgErr("08000", "x"), false},
		{"unexpected eof ends one connection", io.ErrUnexpectedEOF, false},
		{"net timeout", &net.OpError{Op: "read", Err: timeoutErr{}}, true},
		{"connect error", &pgconn.ConnectError{}, true},
		{"auth failure inside connect error is not infra", fmt.Errorf("connect: %w", pgErr("28P01", "password")), false},
		{"deadline", context.DeadlineExceeded, true},
		{"plain error", errors.New("scan: cannot assign"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := isInfraFailure(tt.err); got != tt.want {
				t.Errorf("isInfraFailure(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestIsConnLoss(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"admin shutdown", pgErr("57P01", "terminating connection"), true},
		{"crash shutdown", pgErr("57P02", "crash"), true},
		{"connection failure", pgErr("08006", "x"), true},
		{"eof", io.EOF, true},
		{"wrapped unexpected eof", fmt.Errorf("read: %w", io.ErrUnexpectedEOF), true},
		{"conn closed", pgconn.ErrConnClosed, true},
		{"unique violation", pgErr("23505", "dup"), false},
		{"no rows", pgx.ErrNoRows, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := isConnLoss(tt.err); got != tt.want {
				t.Errorf("isConnLoss(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

func TestOutcomeOf(t *testing.T) {
	t.Parallel()
	live := context.Background()
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()
	tests := []struct {
		name string
		ctx  context.Context
		err  error
		want outcome
	}{
		{"success", live, nil, outcomeSuccess},
		{"statement error counts as success", live, pgErr("23505", "dup"), outcomeSuccess},
		{"infra failure", live, &pgconn.ConnectError{}, outcomeFailure},
		{"lost connection", live, io.ErrUnexpectedEOF, outcomeLost},
		{"terminated backend", live, pgErr("57P01", "terminating connection"), outcomeLost},
		{"caller canceled", gone, context.Canceled, outcomeExcluded},
		{"caller canceled during infra failure", gone, io.ErrUnexpectedEOF, outcomeExcluded},
		{"server answered the cancel after the deadline", expired, pgErr("57014", "canceling statement"), outcomeExcluded},
		{"server never answered the cancel: hung", expired, &net.OpError{Op: "read", Err: timeoutErr{}}, outcomeFailure},
		{"caller canceled, server never answered", gone, &net.OpError{Op: "read", Err: timeoutErr{}}, outcomeExcluded},
		{"deadline passed while connecting", expired, &pgconn.ConnectError{}, outcomeExcluded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := outcomeOf(tt.ctx, tt.err); got != tt.want {
				t.Errorf("outcomeOf = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestProbeOutcome(t *testing.T) {
	t.Parallel()
	live := context.Background()
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()
	tests := []struct {
		name string
		ctx  context.Context
		err  error
		want outcome
	}{
		{"answered", live, nil, outcomeSuccess},
		{"refused", live, &pgconn.ConnectError{}, outcomeFailure},
		{"no answer in time: a frozen server", expired, &net.OpError{Op: "read", Err: timeoutErr{}}, outcomeFailure},
		{"connect cut by the probe's deadline", expired, &pgconn.ConnectError{}, outcomeFailure},
		{"probe connection terminated", live, pgErr("57P01", "terminating connection"), outcomeLost},
		{"shutting down", canceled, &net.OpError{Op: "read", Err: timeoutErr{}}, outcomeExcluded},
	}
	for _, tt := range tests {
		if got := probeOutcome(tt.ctx, tt.err); got != tt.want {
			t.Errorf("%s: probeOutcome = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestMayRetryStatement(t *testing.T) {
	t.Parallel()
	lost := io.ErrUnexpectedEOF
	tests := []struct {
		name            string
		err             error
		attempt         int
		onReplica, idem bool
		want            bool
	}{
		{"nothing reached the server, write", safeErr{}, 1, false, false, true},
		{"connect error, write", &pgconn.ConnectError{}, 1, false, false, true},
		{"pgx conn closed on the primary: the reply was lost", closedErr{}, 1, false, false, false},
		{"pgx conn closed on a replica", closedErr{}, 1, true, false, true},
		{"connection lost on a replica", lost, 1, true, false, true},
		// SELECT charge($1) reads like a read and writes: on the primary,
		// a statement that may have run is never replayed.
		{"connection lost on the primary", lost, 1, false, false, false},
		{"connection lost on the primary, idempotent", lost, 1, false, true, true},
		{"network timeout on the primary", &net.OpError{Op: "read", Err: timeoutErr{}}, 1, false, false, false},
		{"admin shutdown on a replica", pgErr("57P01", "x"), 1, true, false, true},
		{"admin shutdown on the primary", pgErr("57P01", "x"), 1, false, false, false},
		{"too many connections on a replica", pgErr("53300", "x"), 2, true, false, true},
		{"cannot connect now, primary", pgErr("57P03", "x"), 1, false, false, false},
		{"cached plan, first", pgErr("0A000", "cached plan must not change result type"), 1, false, false, true},
		{"cached plan, second", pgErr("0A000", "cached plan must not change result type"), 2, false, false, false},
		{"other 0A000", pgErr("0A000", "feature not supported"), 1, true, false, false},
		{"unique violation, idempotent", pgErr("23505", "dup"), 1, true, true, false},
		{"recovery conflict on a replica", pgErr("40001", "conflict with recovery"), 1, true, false, true},
		{"serialization failure on the primary", pgErr("40001", "x"), 1, false, false, false},
		{"circuit open", &CircuitOpenError{Endpoint: "primary"}, 1, true, true, false},
		{"closed", ErrClosed, 1, true, true, false},
		{"misuse", errNilCtx, 1, true, true, false},
		{"no rows", pgx.ErrNoRows, 1, true, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := mayRetryStatement(tt.err, tt.attempt, tt.onReplica, tt.idem); got != tt.want {
				t.Errorf("mayRetryStatement(%v, %d, onReplica=%v, idem=%v) = %v, want %v",
					tt.err, tt.attempt, tt.onReplica, tt.idem, got, tt.want)
			}
		})
	}
}

// refusedConnect returns the *pgconn.ConnectError of a real connection
// attempt to a port nothing listens on (a zero ConnectError cannot even
// print itself).
func refusedConnect(t *testing.T) error {
	t.Helper()
	_, err := pgconn.Connect(context.Background(), "host=127.0.0.1 port=1 user=u dbname=d sslmode=disable connect_timeout=2")
	var ce *pgconn.ConnectError
	if !errors.As(err, &ce) {
		t.Fatalf("connecting to port 1: %v, want a *pgconn.ConnectError", err)
	}
	return err
}

func TestFailedReportsUnknownOutcomeOnThePrimaryOnly(t *testing.T) {
	t.Parallel()
	primary := &endpoint{label: "primary (h:1)"}
	replica := &endpoint{label: "replica[0] (h:2)", replica: true}
	live := context.Background()
	expired, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	tests := []struct {
		name        string
		ctx         context.Context
		e           *endpoint
		err         error
		unknown     bool
		deadlineToo bool
	}{
		{"lost on the primary", live, primary, io.ErrUnexpectedEOF, true, false},
		{"terminated on the primary", live, primary, pgErr("57P01", "terminating"), true, false},
		{"lost on a replica", live, replica, io.ErrUnexpectedEOF, false, false},
		{"pgx conn closed on the primary", live, primary, closedErr{}, true, false},
		{"nothing sent", live, primary, safeErr{}, false, false},
		{"connect failure", live, primary, refusedConnect(t), false, false},
		{"statement error", live, primary, pgErr("23505", "dup"), false, false},
		{"canceled by the server after the deadline", expired, primary, pgErr("57014", "canceling"), false, true},
		// The server never confirmed the cancel: the statement may have run.
		{"hung past the deadline", expired, primary, &net.OpError{Op: "read", Err: timeoutErr{}}, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := failed(tt.ctx, tt.e, "statement", tt.err)
			if got := errors.Is(err, ErrOutcomeUnknown); got != tt.unknown {
				t.Errorf("failed(%v) = %v: matches ErrOutcomeUnknown %v, want %v", tt.err, err, got, tt.unknown)
			}
			if got := errors.Is(err, context.DeadlineExceeded); got != tt.deadlineToo {
				t.Errorf("failed(%v) = %v: matches DeadlineExceeded %v, want %v", tt.err, err, got, tt.deadlineToo)
			}
			if !errors.Is(err, tt.err) {
				t.Errorf("failed(%v) = %v lost its cause", tt.err, err)
			}
		})
	}
	if failed(live, primary, "statement", nil) != nil {
		t.Error("failed(nil) is not nil")
	}
}

func TestErrorsMatchSentinels(t *testing.T) {
	t.Parallel()
	var err error = &CircuitOpenError{Endpoint: "replica[0] (db:5432)", State: BreakerOpen}
	if !errors.Is(fmt.Errorf("wrapped: %w", err), ErrCircuitOpen) {
		t.Error("CircuitOpenError does not match ErrCircuitOpen")
	}
	if got := err.Error(); got != "pool: circuit breaker open for replica[0] (db:5432): call refused" {
		t.Errorf("message = %q", got)
	}
	if !errors.Is(sessionError(classSessionSet), ErrSessionState) {
		t.Error("SessionStateError does not match ErrSessionState")
	}
}
