package observe

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/rs/zerolog"
)

// valueErrors are server errors whose message, hint, detail, where or
// internal query carry values (the ones PostgreSQL really sends for
// these cases; e2e/observe raises each against a server).
var valueErrors = []*pgconn.PgError{
	{Severity: "ERROR", Code: "P0001", Message: "email ann.banned@example.com is blocked (password Hunter2Secret)",
		Where: "PL/pgSQL function block() line 3 at RAISE"},
	{Severity: "ERROR", Code: "23505", Message: "ann.banned@example.com is taken", ConstraintName: "users_email_key",
		Hint: "not ann.banned@example.com"},
	{Severity: "ERROR", Code: "42601", Message: `syntax error at or near "'Hunter2Secret'"`},
	{Severity: "ERROR", Code: "22P02", Message: `invalid input syntax for type bigint: "SecretValue98"`},
	{Severity: "ERROR", Code: "23514", Message: `new row for relation "users" violates check constraint "users_email_check"`,
		Detail: "Failing row contains (1, ann.banned@example.com).", TableName: "users", ConstraintName: "users_email_check"},
	{Severity: "ERROR", Code: "42883", Message: "function nope(text) does not exist",
		InternalQuery: "SELECT nope('Hunter2Secret')"},
}

var valueNeedles = []string{"ann.banned", "banned@", "Hunter", "unter2", "Secret", "SecretValue", "Value98"}

func assertNoValues(t *testing.T, what, out string) {
	t.Helper()
	for _, n := range valueNeedles {
		if strings.Contains(out, n) {
			t.Errorf("%s leaks %q:\n%s", what, n, out)
		}
	}
}

// TestLoggersRedactServerMessages: no value a server error quotes in its
// message (a trigger's RAISE, a unique violation raised by a trigger, a
// syntax error near a literal, invalid input) reaches a zerolog or slog
// line; the SQLSTATE and the object names still do.
func TestLoggersRedactServerMessages(t *testing.T) {
	t.Parallel()
	for _, pe := range valueErrors {
		var zbuf, sbuf bytes.Buffer
		ev := queryEvent(time.Millisecond, pe)
		NewLogger(zerolog.New(&zbuf), LogConfig{}).Observe(context.Background(), ev)
		NewSlogLogger(slog.New(slog.NewJSONHandler(&sbuf, nil)), LogConfig{}).Observe(context.Background(), ev)
		for what, out := range map[string]string{"zerolog": zbuf.String(), "slog": sbuf.String()} {
			assertNoValues(t, what+" "+pe.Code, out)
			if !strings.Contains(out, `"sqlstate":"`+pe.Code+`"`) {
				t.Errorf("%s %s: no sqlstate field:\n%s", what, pe.Code, out)
			}
			if pe.ConstraintName != "" && !strings.Contains(out, `"constraint":"`+pe.ConstraintName+`"`) {
				t.Errorf("%s %s: no constraint field:\n%s", what, pe.Code, out)
			}
		}
	}
}

// TestErrorTextKeepsOnlyAllowedMessages: a message is verbatim only when
// it is one of the fixed messages known to carry no data.
func TestErrorTextKeepsOnlyAllowedMessages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  *pgconn.PgError
		want string
	}{
		{&pgconn.PgError{Severity: "ERROR", Code: "40P01", Message: "deadlock detected", Detail: "Process 4711 waits"},
			"ERROR: deadlock detected (SQLSTATE 40P01)"},
		{&pgconn.PgError{Severity: "ERROR", Code: "57014", Message: "canceling statement due to user request"},
			"ERROR: canceling statement due to user request (SQLSTATE 57014)"},
		{&pgconn.PgError{Severity: "ERROR", Code: "23505", Message: `duplicate key value violates unique constraint "t_a_key"`,
			TableName: "t", ConstraintName: "t_a_key"},
			"ERROR: unique_violation (SQLSTATE 23505, table t, constraint t_a_key; message redacted)"},
		{&pgconn.PgError{Severity: "ERROR", Code: "42601", Message: `syntax error at or near "'Hunter2Secret'"`},
			"ERROR: syntax_error (SQLSTATE 42601; message redacted)"},
	}
	for _, tt := range tests {
		if got := ErrorText(tt.err); got != tt.want {
			t.Errorf("ErrorText = %q\nwant %q", got, tt.want)
		}
	}
}
