package pool

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
)

// SQLSTATE codes pool reacts to.
const (
	codeReadOnlyTransaction  = "25006"
	codeSerializationFailure = "40001"
	codeDeadlockDetected     = "40P01"
	codeFeatureNotSupported  = "0A000"
	codeTooManyConnections   = "53300"
	codeAdminShutdown        = "57P01"
	codeCrashShutdown        = "57P02"
	codeCannotConnectNow     = "57P03"
)

func sqlState(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

// isInfraFailure reports that the endpoint itself cannot serve calls: a
// connection cannot be made (refused, timed out, too many clients, still
// starting), the network timed out, or the server (or PgBouncer) ended the
// session with a connection-class (08xxx) FATAL error. These count against
// a circuit breaker. An error the server sent in answer to a statement and
// survived — a unique violation, a syntax error, 08P01 "invalid message
// format" for a value the protocol cannot carry — is the statement's own
// outcome and never counts; neither does pgx.ErrNoRows, nor the loss of
// one established connection (see isConnLoss).
func isInfraFailure(err error) bool {
	if err == nil {
		return false
	}
	var connectErr *pgconn.ConnectError
	if errors.As(err, &connectErr) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case codeTooManyConnections, codeCannotConnectNow:
			return true
		case "08003", "08006": // one connection ended: isConnLoss
			return false
		}
		// An ERROR leaves the session usable: the server is answering.
		return strings.HasPrefix(pgErr.Code, "08") && fatal(pgErr)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		// Only reached when the caller's ctx is still live (see outcomeOf):
		// pgx's own connect timeout fired.
		return true
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return true
	}
	return pgconn.Timeout(err)
}

// fatal reports an error that ended the session.
func fatal(pgErr *pgconn.PgError) bool {
	sev := pgErr.SeverityUnlocalized
	if sev == "" {
		sev = pgErr.Severity
	}
	return sev == "FATAL" || sev == "PANIC"
}

// isConnLoss reports that an established connection ended under the
// statement: the server terminated it (pg_terminate_backend and server
// shutdown both send 57P01; a crash 57P02), or the socket closed or reset.
// Whether anything ran is unknown, so only reads and idempotent statements
// are retried. It does not open the breaker by itself: a terminated
// backend says nothing about the server, so it wakes the health loop
// instead, whose fresh connection tells a dead server from a dead
// connection.
func isConnLoss(err error) bool {
	switch sqlState(err) {
	case codeAdminShutdown, codeCrashShutdown, "08003", "08006":
		return true
	case "":
	default:
		return false
	}
	var netErr net.Error
	return errors.As(err, &netErr) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, pgconn.ErrConnClosed) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, net.ErrClosed)
}

// outcome is what a call means to a circuit breaker.
type outcome uint8

const (
	outcomeSuccess  outcome = iota // includes statement errors (constraint, syntax, no rows)
	outcomeFailure                 // infrastructure failure
	outcomeExcluded                // the caller's ctx ended: says nothing about the server
	outcomeLost                    // one connection ended: not counted, but re-check the endpoint
)

func outcomeOf(ctx context.Context, err error) outcome {
	switch {
	case err == nil:
		return outcomeSuccess
	case ctx.Err() != nil:
		if hung(ctx, err) {
			return outcomeFailure
		}
		return outcomeExcluded
	case isInfraFailure(err):
		return outcomeFailure
	case isConnLoss(err):
		return outcomeLost
	}
	return outcomeSuccess
}

// hung reports a call whose deadline passed and whose server did not even
// answer the cancel request within Config.CancelGracePeriod, so that pgx
// dropped the connection: a frozen or unreachable server, not a slow
// statement (a live server answers the cancel with 57014, which does not
// count). A caller's own cancellation (context.Canceled) never counts, nor
// does a ctx that had ended before the call began, nor a connection
// attempt cut short by the caller's deadline (Config.ConnectTimeout is the
// server's deadline there; see isInfraFailure).
func hung(ctx context.Context, err error) bool {
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	// context.DeadlineExceeded is a net.Error too: alone, it is a wait
	// for a pooled connection that ran out of time, not a server's silence.
	timedOut := pgconn.Timeout(err) || errors.As(err, &netErr) && netErr.Timeout() && !errors.Is(err, context.DeadlineExceeded)
	return errors.Is(ctx.Err(), context.DeadlineExceeded) && timedOut && !pgconn.SafeToRetry(err) &&
		!errors.As(err, &connectErr)
}

// probeOutcome is what a failed health probe means to a breaker: an
// infrastructure failure, whether the server refused it or did not answer
// in time (a live server answers in milliseconds) — unless ctx was
// canceled, which says nothing about the server, or the probe's own
// established connection ended (a terminated backend), which the next
// probe's fresh connection settles.
func probeOutcome(ctx context.Context, err error) outcome {
	var netErr net.Error
	switch {
	case err == nil:
		return outcomeSuccess
	case errors.Is(ctx.Err(), context.Canceled):
		return outcomeExcluded
	case pgconn.Timeout(err), errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return outcomeFailure
	case isConnLoss(err):
		return outcomeLost
	}
	return outcomeFailure
}

// isReadOnlyViolation reports 25006 (read_only_sql_transaction): a write
// reached a server or transaction that only reads, such as a standby.
func isReadOnlyViolation(err error) bool { return sqlState(err) == codeReadOnlyTransaction }

// isCachedPlanChange reports "cached plan must not change result type":
// the statement was rejected before it ran, and pgx has already dropped the
// stale prepared statement, so one more try succeeds.
func isCachedPlanChange(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == codeFeatureNotSupported &&
		strings.Contains(pgErr.Message, "cached plan must not change result type")
}

// isTxConflict reports serialization failures and deadlocks: the whole
// transaction may succeed if run again.
func isTxConflict(err error) bool {
	code := sqlState(err)
	return code == codeSerializationFailure || code == codeDeadlockDetected
}

// safeToRetry reports failures that happened before the statement reached
// the server: pgx says so, or the connection could not even be made.
//
// pgx's "conn closed" (pgconn.ErrConnClosed) is not trusted although pgx
// calls it safe: pgx v5 also returns it when the connection broke while
// the reply of a statement sent with the simple protocol was being read
// (every Exec without arguments, COMMIT included), after the server may
// have run it. A pooled connection is never handed out already closed, so
// the harmless case does not arise here.
func safeToRetry(err error) bool {
	var connectErr *pgconn.ConnectError
	if errors.As(err, &connectErr) {
		return true
	}
	return pgconn.SafeToRetry(err) && !errors.Is(err, pgconn.ErrConnClosed)
}
