package pool

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestWrappedErrorsCarryNoValues: the errors pool wraps around a
// statement's error (the end of ctx, an unknown outcome) do not repeat a
// value the server quoted, and still unwrap to the *pgconn.PgError.
func TestWrappedErrorsCarryNoValues(t *testing.T) {
	t.Parallel()
	pe := &pgconn.PgError{Severity: "ERROR", Code: "P0001",
		Message: "email ann.banned@example.com is blocked (password Hunter2Secret)"}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, err := range []error{
		withCause(ctx, pe),
		&OutcomeUnknownError{Endpoint: "primary (db:5432)", What: "statement", Err: pe},
	} {
		for _, n := range []string{"ann.banned", "Hunter2"} {
			if strings.Contains(err.Error(), n) {
				t.Errorf("%T leaks %q: %s", err, n, err)
			}
		}
		var got *pgconn.PgError
		if !errors.As(err, &got) || got != pe {
			t.Errorf("%T: errors.As lost the *pgconn.PgError", err)
		}
		if !strings.Contains(err.Error(), "SQLSTATE P0001") {
			t.Errorf("%T lost the SQLSTATE: %s", err, err)
		}
	}
	if err := withCause(ctx, errors.New("boom 42")); err.Error() != "boom 42 (context canceled)" {
		t.Errorf("an error that carries no value was changed: %q", err)
	}
}
