package sqlb

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error returned by sqlb wraps one of these (test with
// errors.Is) inside an *Error that names the call that caused it.
var (
	// ErrInvalidIdentifier: an identifier is empty, contains NUL, is longer
	// than 63 bytes, or a qualified name is malformed.
	ErrInvalidIdentifier = errors.New("invalid identifier")
	// ErrEmptyTable: a statement has no table.
	ErrEmptyTable = errors.New("no table given")
	// ErrInvalidValue: a negative LIMIT/OFFSET, a value of an unsupported
	// type (func, chan, complex, unsafe pointer), or a nil where one is needed.
	ErrInvalidValue = errors.New("invalid value")
	// ErrPlaceholders: the number of ? placeholders in a SQL fragment does not
	// match its arguments, a fragment uses $n positional parameters, or a
	// fragment is lexically unterminated.
	ErrPlaceholders = errors.New("placeholder mismatch")
	// ErrMissingParam: a :name or @name parameter has no value.
	ErrMissingParam = errors.New("missing named parameter")
	// ErrColumnCount: a multi-row INSERT row has a different number of values
	// than columns.
	ErrColumnCount = errors.New("column count mismatch")
	// ErrIncomplete: a statement lacks a required part (no columns, no SET,
	// UPDATE or DELETE without WHERE and without All()).
	ErrIncomplete = errors.New("incomplete statement")
	// ErrModel: a struct cannot be mapped (bad or contradictory tags).
	ErrModel = errors.New("invalid model")
	// ErrCursor: a cursor token is malformed, tampered with, or does not
	// match the query's ordering.
	ErrCursor = errors.New("invalid cursor")
)

// Error is the error type returned by sqlb. Op names the builder call that
// caused it, for example `Select.From("a\x00b")` or `Eq("id")`.
type Error struct {
	Op  string
	Err error
}

func (e *Error) Error() string { return "sqlb: " + e.Op + ": " + e.Err.Error() }

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

func errorf(op string, sentinel error, format string, args ...any) error {
	return &Error{Op: op, Err: fmt.Errorf("%w: "+format, append([]any{sentinel}, args...)...)}
}

// wrapOp adds an op to an error that does not already carry one.
func wrapOp(op string, err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return &Error{Op: op, Err: err}
}
