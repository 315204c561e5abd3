package versioned

import (
	"context"
	"fmt"
	"time"
)

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
		e.Direction, e.Version, e.Source, e.Line, fileShorten(e.Statement), e.Err)
}

// Unwrap returns the underlying error.
func (e *MigrationError) Unwrap() error { return e.Err }

func fileGoErr(m *Migration, d Direction, err error) error {
	if err == nil {
		return nil
	}
	return &MigrationError{Version: m.Version, Source: m.Source(), Direction: d, Err: err}
}

// fileExec runs a script's statements one by one, so an error names the
// statement that failed.
func fileExec(ctx context.Context, q querier, m *Migration, sc *fileScript, d Direction) error {
	for _, st := range sc.Statements {
		if _, err := q.Exec(ctx, st.SQL); err != nil {
			return &MigrationError{Version: m.Version, Source: sc.Path, Direction: d, Line: st.Line, Statement: st.Code, Err: err}
		}
	}
	return nil
}

// fileTimeout renders a duration for set_config: "0" disables.
func fileTimeout(d time.Duration) string {
	if d <= 0 {
		return "0"
	}
	return fmt.Sprintf("%dms", max(d.Milliseconds(), 1))
}
