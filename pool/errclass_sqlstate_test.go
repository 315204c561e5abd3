package pool

import (
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// sqlStateCases wraps a server error with each code the ways callers and
// pgx hand it on, so a classifier is checked on the code alone, through
// every wrapping.
func sqlStateCases(code string) []wrappedErr {
	e := &pgconn.PgError{Code: code, Message: "m", Severity: "ERROR"}
	return []wrappedErr{
		{"bare", e},
		{"wrapped", fmt.Errorf("pool: exec: %w", e)},
		{"wrapped twice", fmt.Errorf("outer: %w", fmt.Errorf("inner: %w", e))},
		{"joined", errors.Join(errors.New("rollback failed"), e)},
	}
}

type wrappedErr struct {
	how string
	err error
}

func TestIsReadOnlyViolation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code string
		want bool
	}{
		{"25006", true},  // read_only_sql_transaction: a write on a standby or a demoted primary
		{"25000", false}, // invalid_transaction_state
		{"25001", false}, // active_sql_transaction
		{"25P02", false}, // in_failed_sql_transaction
		{"40001", false}, // serialization_failure
		{"42501", false}, // insufficient_privilege
		{"0A000", false}, // feature_not_supported
		{"57P01", false}, // admin_shutdown
		{"", false},
	}
	for _, tt := range tests {
		for _, c := range sqlStateCases(tt.code) {
			if got := isReadOnlyViolation(c.err); got != tt.want {
				t.Errorf("isReadOnlyViolation(%s %q) = %v, want %v", c.how, tt.code, got, tt.want)
			}
		}
	}
	for _, err := range []error{
		nil,
		errors.New("ERROR: cannot execute INSERT in a read-only transaction (SQLSTATE 25006)"), // text is not a code
		&pgconn.PgError{Code: "42501", Message: "cannot execute INSERT in a read-only transaction"},
	} {
		if isReadOnlyViolation(err) {
			t.Errorf("isReadOnlyViolation(%v) = true, want false: only SQLSTATE 25006 counts", err)
		}
	}
}

func TestIsTxConflict(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code string
		want bool
	}{
		{"40001", true},  // serialization_failure
		{"40P01", true},  // deadlock_detected
		{"40000", false}, // transaction_rollback: not known to succeed when run again
		{"40002", false}, // transaction_integrity_constraint_violation
		{"40003", false}, // statement_completion_unknown
		{"25006", false}, // read_only_sql_transaction
		{"23505", false}, // unique_violation
		{"57014", false}, // query_canceled
		{"55P03", false}, // lock_not_available
		{"", false},
	}
	for _, tt := range tests {
		for _, c := range sqlStateCases(tt.code) {
			if got := isTxConflict(c.err); got != tt.want {
				t.Errorf("isTxConflict(%s %q) = %v, want %v", c.how, tt.code, got, tt.want)
			}
		}
	}
	for _, err := range []error{nil, errors.New("could not serialize access (SQLSTATE 40001)")} {
		if isTxConflict(err) {
			t.Errorf("isTxConflict(%v) = true, want false: only a server error's SQLSTATE counts", err)
		}
	}
}
