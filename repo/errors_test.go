package repo

import (
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

func TestConstraintErrorMapping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code     string
		detail   string
		column   string
		sentinel error
		want     string
	}{
		{"23505", "Key (tenant_id, email)=(7, secret@x) already exists.", "", ErrUniqueViolation,
			"repo: Create users: unique violation on constraint c (column tenant_id, email)"},
		{"23503", "Key (team_id)=(42) is not present in table \"teams\".", "", ErrForeignKeyViolation,
			"repo: Create users: foreign key violation on constraint c (column team_id)"},
		{"23514", "Failing row contains (secret).", "", ErrCheckViolation, "repo: Create users: check violation on constraint c"},
		{"23502", "Failing row contains (secret).", "name", ErrNotNullViolation,
			"repo: Create users: not-null violation on constraint c (column name)"},
	}
	for _, tc := range tests {
		pe := &pgconn.PgError{Code: tc.code, ConstraintName: "c", Detail: tc.detail, ColumnName: tc.column}
		err := wrapErr("Create", "users", pe)
		if !errors.Is(err, tc.sentinel) {
			t.Fatalf("%s: not %v", tc.code, tc.sentinel)
		}
		var got *pgconn.PgError
		if !errors.As(err, &got) || got != pe {
			t.Fatalf("%s: PgError not reachable", tc.code)
		}
		if err.Error() != tc.want {
			t.Fatalf("%s: message\n got %s\nwant %s", tc.code, err, tc.want)
		}
	}
	if err := wrapErr("FindByID", "users", pgx.ErrNoRows); !errors.Is(err, ErrNotFound) || !errors.Is(err, pgx.ErrNoRows) {
		t.Fatalf("no rows: %v", err)
	}
}
