package versioned

import (
	"errors"
	"fmt"
)

// Errors of the file/Go migration runner. Each is returned wrapped with
// the versions and files concerned; test with errors.Is.
var (
	// ErrDrift: an applied SQL migration's up or down file changed since
	// it ran (see Migration.Checksum). Restore the file, or run
	// Baseline(v) to accept the new content.
	ErrDrift = errors.New("migrate: applied migration file changed (drift)")
	// ErrDirty: a migration that ran outside a transaction failed (or was
	// interrupted) and the schema may be half changed.
	ErrDirty = errors.New("migrate: migration left dirty")
	// ErrGap: a pending migration has a lower version than the highest
	// applied one and MigratorOptions.AllowOutOfOrder is not set.
	ErrGap = errors.New("migrate: pending migration older than the last applied one")
	// ErrNoDown: the migration to roll back has no down file or function.
	ErrNoDown = errors.New("migrate: migration has no down")
	// ErrUnknownVersion: a version named in a call is not a known
	// migration (or not applied, for a rollback).
	ErrUnknownVersion = errors.New("migrate: unknown migration version")
)

// ErrBadFile is returned (wrapped, naming the file) for a migration file
// with a malformed name, a duplicate version, an unknown directive or SQL
// that cannot be split into statements.
var ErrBadFile = errors.New("migrate: bad migration file")

// ErrGateRefused is returned (wrapped in a *GateError) when a down
// migration contains a destructive statement — DROP TABLE, DROP SCHEMA,
// ALTER TABLE … DROP [COLUMN], TRUNCATE or DELETE — and
// MigratorOptions.AllowDestructiveDown is not set. The body of a DO block
// is checked as well.
var ErrGateRefused = errors.New("migrate: destructive down statement refused")

// GateError names the down statement a safety gate refused: the version,
// the file, the line the statement starts on, the statement and why.
type GateError struct {
	Version   int64
	File      string
	Line      int
	Statement string
	Reason    string
}

// Error describes the refused statement and how to allow it.
func (e *GateError) Error() string {
	return fmt.Sprintf("migrate: down of version %d refused: %s at %s:%d (%s); set AllowDestructiveDown (--allow-destructive-down) to run it",
		e.Version, e.Reason, e.File, e.Line, shorten(e.Statement))
}

// Is makes errors.Is(err, ErrGateRefused) true.
func (e *GateError) Is(target error) bool { return target == ErrGateRefused }

// MigrationError reports a migration that failed: the version, the file
// (or Go migration), the line and text of the failing statement, and the
// database error (unwrap it for *pgconn.PgError).
type MigrationError struct {
	Version   int64
	Source    string
	Direction Direction
	Line      int    // 0 for Go migrations
	Statement string // "" for Go migrations
	Err       error
}

// Error names the migration, the statement and the cause.
func (e *MigrationError) Error() string {
	if e.Statement == "" {
		return fmt.Sprintf("migrate: %s %d (%s) failed: %v", e.Direction, e.Version, e.Source, e.Err)
	}
	return fmt.Sprintf("migrate: %s %d failed at %s:%d in statement %q: %v",
		e.Direction, e.Version, e.Source, e.Line, shorten(e.Statement), e.Err)
}

// Unwrap returns the underlying error.
func (e *MigrationError) Unwrap() error { return e.Err }
