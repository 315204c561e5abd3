package repo

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/normkit/norm/internal/redact"
)

// Sentinel errors. Errors returned by a Repository wrap one of these (test
// with errors.Is) and name the operation and the table.
var (
	// ErrNotFound: a single-row read or a write by primary key found no
	// row. It wraps pgx.ErrNoRows, so errors.Is(err, pgx.ErrNoRows) holds
	// too.
	ErrNotFound = fmt.Errorf("not found: %w", pgx.ErrNoRows)
	// ErrStale: an optimistic-locking write found the row with another
	// version than the one held by the caller. Distinct from ErrNotFound.
	ErrStale = errors.New("stale version")
	// ErrNotUnique: FindOne matched more than one row.
	ErrNotUnique = errors.New("more than one row")
	// ErrInvalid: bad input from the caller (an unknown column, a key of
	// the wrong shape, an empty condition where one is required, a nil
	// entity). Nothing was sent to the server.
	ErrInvalid = errors.New("invalid argument")
	// ErrMisuse: a method was called on a Repository that New did not
	// build — a nil pointer, the zero value, or a copy bound to a nil
	// transaction (WithTx(nil)) — or on a Query it started. Nothing was
	// sent to the server.
	ErrMisuse = errors.New("misused repository")
	// ErrUnsupported was returned when the Querier lacked Begin or
	// CopyFrom. Both are part of Querier now, so a value without them does
	// not compile and no repository call returns it.
	//
	// Deprecated: kept so code that matches it still compiles.
	ErrUnsupported = errors.New("unsupported by the querier")
	// ErrNPlusOne: strict loading caught a lazy Load repeated for the same
	// relation in one tracked context; use Preload.
	ErrNPlusOne = errors.New("N+1 load detected")

	// ErrUniqueViolation matches a *ConstraintError of kind unique (23505).
	ErrUniqueViolation = errors.New("unique violation")
	// ErrForeignKeyViolation matches a *ConstraintError of kind
	// foreign_key (23503).
	ErrForeignKeyViolation = errors.New("foreign key violation")
	// ErrCheckViolation matches a *ConstraintError of kind check (23514).
	ErrCheckViolation = errors.New("check violation")
	// ErrNotNullViolation matches a *ConstraintError of kind not_null
	// (23502).
	ErrNotNullViolation = errors.New("not-null violation")
)

// ConstraintKind names the kind of integrity constraint that was violated.
type ConstraintKind string

// Constraint kinds, from the SQLSTATE of the server's error.
const (
	KindUnique     ConstraintKind = "unique"      // 23505
	KindForeignKey ConstraintKind = "foreign_key" // 23503
	KindCheck      ConstraintKind = "check"       // 23514
	KindNotNull    ConstraintKind = "not_null"    // 23502
)

var kindBySQLState = map[string]ConstraintKind{
	"23505": KindUnique, "23503": KindForeignKey, "23514": KindCheck, "23502": KindNotNull,
}

var sentinelByKind = map[ConstraintKind]error{
	KindUnique: ErrUniqueViolation, KindForeignKey: ErrForeignKeyViolation,
	KindCheck: ErrCheckViolation, KindNotNull: ErrNotNullViolation,
}

// ConstraintError is an integrity constraint violation reported by the
// server. It matches the sentinel of its kind with errors.Is
// (ErrUniqueViolation, …) and the *pgconn.PgError with errors.As. Its
// message names the operation, table, constraint and columns but never the
// values (the server's Detail, which holds them, stays in PgError).
type ConstraintError struct {
	Op         string // the repository operation: "Create", "Update", …
	Table      string
	Constraint string
	Column     string // the column(s), comma-separated, when the server says
	Kind       ConstraintKind
	PgError    *pgconn.PgError
}

// Error describes the violation without parameter values.
func (e *ConstraintError) Error() string {
	var b strings.Builder
	b.WriteString("repo: ")
	b.WriteString(e.Op)
	b.WriteString(" ")
	b.WriteString(e.Table)
	b.WriteString(": ")
	b.WriteString(sentinelByKind[e.Kind].Error())
	if e.Constraint != "" {
		b.WriteString(" on constraint ")
		b.WriteString(e.Constraint)
	}
	if e.Column != "" {
		b.WriteString(" (column ")
		b.WriteString(e.Column)
		b.WriteString(")")
	}
	return b.String()
}

// Unwrap returns the kind's sentinel and the server's *pgconn.PgError.
func (e *ConstraintError) Unwrap() []error {
	return []error{sentinelByKind[e.Kind], e.PgError}
}

// wrapErr adds the operation and table to err and turns integrity
// violations into a *ConstraintError. pgx.ErrNoRows becomes ErrNotFound.
// An error whose text may quote a value (a server error, a pgx scan or
// encode error) is wrapped so that its text is redacted (see
// internal/redact); errors.As still finds the *pgconn.PgError in it.
func wrapErr(op, table string, err error) error {
	if err == nil {
		return nil
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		if kind, ok := kindBySQLState[pe.Code]; ok {
			return &ConstraintError{
				Op: op, Table: table, Constraint: pe.ConstraintName,
				Column: constraintColumn(pe), Kind: kind, PgError: pe,
			}
		}
	}
	if errors.Is(err, pgx.ErrNoRows) && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("repo: %s %s: %w", op, table, ErrNotFound)
	}
	return fmt.Errorf("repo: %s %s: %w", op, table, redact.Wrap(err))
}

// errorf builds an error for op on table wrapping sentinel.
func errorf(op, table string, sentinel error, format string, args ...any) error {
	return fmt.Errorf("repo: %s %s: %w: %s", op, table, sentinel, fmt.Sprintf(format, args...))
}

// constraintColumn returns the column named by the server: ColumnName for
// not-null violations, else the column list of a "Key (a, b)=(…)" detail
// (only the names before "=", never the values).
func constraintColumn(pe *pgconn.PgError) string {
	if pe.ColumnName != "" {
		return pe.ColumnName
	}
	d, ok := strings.CutPrefix(pe.Detail, "Key (")
	if !ok {
		return ""
	}
	cols, _, ok := strings.Cut(d, ")=(")
	if !ok {
		return ""
	}
	return cols
}
