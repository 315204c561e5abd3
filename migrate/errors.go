package migrate

import (
	"errors"
	"fmt"
)

// ErrNotAllowed is returned by Apply when the plan holds destructive
// steps that AutoOptions.Allow does not permit; nothing was changed.
var ErrNotAllowed = errors.New("migrate: plan has destructive steps that are not allowed")

// StepError reports the step that failed and its SQL.
type StepError struct {
	Step Step
	Err  error
}

// Error names the step, the table, the cause and the SQL.
func (e *StepError) Error() string {
	return fmt.Sprintf("migrate: %s on %s failed: %v\n  SQL: %s", e.Step.Kind, e.Step.Table, e.Err, e.Step.SQL)
}

// Unwrap returns the database error.
func (e *StepError) Unwrap() error { return e.Err }

// ExprError reports a model's SQL expression (a default, a generated
// column, a check, a partial-index predicate) that PostgreSQL rejects.
// Planning reports it before anything is applied.
type ExprError struct {
	// Table is the model's table, "schema.table".
	Table string
	// Source names the model and field (or index) the expression is from,
	// for example "model Account field CreatedAt".
	Source string
	// Tag is the tag key that holds the expression: "default",
	// "generated", "index_where" or "check".
	Tag  string
	Expr string
	// Err is the server's error (a *pgconn.PgError).
	Err error
}

// Error names the model, the field, the tag, the expression and the
// server's error.
func (e *ExprError) Error() string {
	return fmt.Sprintf("migrate: %s (table %s): %s:%s is rejected by the server: %v", e.Source, e.Table, e.Tag, e.Expr, e.Err)
}

// Unwrap returns the server's error.
func (e *ExprError) Unwrap() error { return e.Err }

// errNoScratch: the session may not create temporary tables.
var errNoScratch = errors.New("migrate: cannot create temporary tables to deparse expressions")
