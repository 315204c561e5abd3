package pool

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

func pgErr(code, msg string) error { return &pgconn.PgError{Code: code, Message: msg} }

type safeErr struct{}

func (safeErr) Error() string     { return "nothing sent" }
func (safeErr) SafeToRetry() bool { return true }

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
		{"wrapped cannot establish", fmt.Errorf("ctx: %w", pgErr("08001", "x")), true},
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

func TestMayRetryStatement(t *testing.T) {
	t.Parallel()
	lost := io.ErrUnexpectedEOF
	tests := []struct {
		name       string
		err        error
		attempt    int
		read, idem bool
		want       bool
	}{
		{"nothing reached the server, write", safeErr{}, 1, false, false, true},
		{"connect error, write", &pgconn.ConnectError{}, 1, false, false, true},
		{"connection lost, read", lost, 1, true, false, true},
		{"connection lost, write", lost, 1, false, false, false},
		{"connection lost, idempotent write", lost, 1, false, true, true},
		{"admin shutdown, read", pgErr("57P01", "x"), 1, true, false, true},
		{"too many connections, read", pgErr("53300", "x"), 2, true, false, true},
		{"cannot connect now, write", pgErr("57P03", "x"), 1, false, false, false},
		{"cached plan, first", pgErr("0A000", "cached plan must not change result type"), 1, false, false, true},
		{"cached plan, second", pgErr("0A000", "cached plan must not change result type"), 2, false, false, false},
		{"other 0A000", pgErr("0A000", "feature not supported"), 1, true, false, false},
		{"unique violation, idempotent", pgErr("23505", "dup"), 1, true, true, false},
		{"recovery conflict on read", pgErr("40001", "conflict with recovery"), 1, true, false, true},
		{"serialization failure on write", pgErr("40001", "x"), 1, false, false, false},
		{"circuit open", &CircuitOpenError{Endpoint: "primary"}, 1, true, true, false},
		{"closed", ErrClosed, 1, true, true, false},
		{"no rows", pgx.ErrNoRows, 1, true, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := mayRetryStatement(tt.err, tt.attempt, tt.read, tt.idem); got != tt.want {
				t.Errorf("mayRetryStatement(%v, %d, read=%v, idem=%v) = %v, want %v",
					tt.err, tt.attempt, tt.read, tt.idem, got, tt.want)
			}
		})
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
