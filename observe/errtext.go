package observe

import (
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// ErrorText returns a message for err that is safe to log: it never
// contains a parameter value.
//
// For a server error it is the SQLSTATE and the primary message; the
// Detail and Where fields are left out because they quote row values
// ("Key (email)=(a@b.c) already exists"). Messages of SQLSTATE classes
// whose text names objects only (08, 23, 25, 28, 3D, 40, 42, 53, 55, 57)
// are kept as they are; others, such as class 22 ("invalid input syntax
// for type uuid: \"...\"") or P0 (RAISE from PL/pgSQL), have quoted text and
// numbers replaced by "?". Other errors are masked the same way, because
// drivers and encoders quote the value they could not handle.
func ErrorText(err error) string {
	if err == nil {
		return ""
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		msg := pgErr.Message
		if !safeClass(pgErr.Code) {
			msg = MaskText(msg)
		}
		return pgErr.Severity + ": " + msg + " (SQLSTATE " + pgErr.Code + ")"
	}
	return MaskText(err.Error())
}

func safeClass(code string) bool {
	if len(code) < 2 {
		return false
	}
	switch code[:2] {
	case "08", "23", "25", "28", "3D", "40", "42", "53", "55", "57":
		return true
	}
	return false
}

// MaskText replaces quoted substrings ('...', "...", `...`, (...)=(...)
// value lists) and runs of digits in s with "?", for free text that may
// quote a value, such as an error message.
func MaskText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\'' || c == '"' || c == '`':
			end := strings.IndexByte(s[i+1:], c)
			b.WriteByte(c)
			b.WriteByte('?')
			b.WriteByte(c)
			if end < 0 {
				return b.String()
			}
			i += end + 2
		case c == ')' && strings.HasPrefix(s[i:], ")=("):
			end := strings.IndexByte(s[i+3:], ')')
			b.WriteString(")=(?)")
			if end < 0 {
				return b.String()
			}
			i += end + 4
		case isDigit(c):
			for i < len(s) && isDigit(s[i]) {
				i++
			}
			b.WriteByte('?')
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}
