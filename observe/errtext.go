package observe

import (
	"github.com/normkit/norm/internal/redact"
)

// ErrorText returns a message for err that is safe to log: it carries no
// value from the data or the parameters.
//
// A server error's message is kept verbatim only when it is one of a
// fixed set of PostgreSQL messages that have no placeholder ("deadlock
// detected", "canceling statement due to user request", "could not
// serialize access due to concurrent update", …). Any other server error
// becomes its severity, the name of its SQLSTATE condition, the SQLSTATE
// and the schema, table, column and constraint names, as in
//
//	ERROR: unique_violation (SQLSTATE 23505, table users, constraint users_email_key; message redacted)
//
// because a trigger's RAISE, a unique violation raised by a trigger, a
// data exception or a syntax error can quote any value in its message.
// Detail, Hint, Where and InternalQuery are never included. The text of
// wrappers around a server error, and errors that are not from the server
// (drivers and encoders quote the value they could not handle), go
// through MaskText.
func ErrorText(err error) string {
	return redact.Text(err)
}

// MaskText replaces quoted substrings ('...', "...", `...`, (...)=(...)
// value lists), words that start with a digit and other runs of digits in
// s with "?", for free text that may quote a value, such as a driver's
// error message. Text that may hold unquoted values, such as a server
// error's message, needs ErrorText instead.
func MaskText(s string) string {
	return redact.Mask(s)
}
