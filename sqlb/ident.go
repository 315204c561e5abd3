package sqlb

import (
	"strconv"
	"strings"
)

// maxIdentLen is PostgreSQL's NAMEDATALEN-1. Longer identifiers would be
// silently truncated by the server, so sqlb rejects them.
const maxIdentLen = 63

// QuoteIdent quotes one identifier by PostgreSQL rules: it is wrapped in
// double quotes and embedded double quotes are doubled. Dots are not
// special: QuoteIdent("a.b") is "a.b", one identifier. Empty names, names
// containing NUL and names longer than 63 bytes are rejected.
func QuoteIdent(name string) (string, error) {
	if err := checkIdent(name); err != nil {
		return "", &Error{Op: "QuoteIdent(" + quoteForMsg(name) + ")", Err: err}
	}
	return quoteIdent(name), nil
}

// QuoteQualified quotes a possibly qualified name such as `schema.table` or
// `t.column`: it splits on dots and quotes each part, giving
// "schema"."table". A part may itself be written in double quotes to
// contain a dot or keep special characters (`public."my.table"`); such a
// part is taken verbatim, with doubled quotes inside. Unquoted parts are
// not case-folded: `Users` becomes "Users". When allowStar is true the last
// part may be a bare `*` (as in `t.*`), left unquoted.
func QuoteQualified(name string) (string, error) {
	q, err := quoteQualified(name, false)
	if err != nil {
		return "", &Error{Op: "QuoteQualified(" + quoteForMsg(name) + ")", Err: err}
	}
	return q, nil
}

// SplitQualified splits a qualified name into its unquoted parts:
// `public."my.table"` gives ["public", "my.table"].
func SplitQualified(name string) ([]string, error) {
	var parts []string
	err := parseQualified(name, func(p string, quoted bool) { parts = append(parts, p) })
	if err != nil {
		return nil, &Error{Op: "SplitQualified(" + quoteForMsg(name) + ")", Err: err}
	}
	return parts, nil
}

func checkIdent(name string) error {
	switch {
	case name == "":
		return errInvalidIdent("empty identifier")
	case len(name) > maxIdentLen:
		return errInvalidIdent("identifier longer than 63 bytes")
	case strings.IndexByte(name, 0) >= 0:
		return errInvalidIdent("identifier contains NUL")
	}
	return nil
}

type identError string

func (e identError) Error() string { return ErrInvalidIdentifier.Error() + ": " + string(e) }
func (e identError) Unwrap() error { return ErrInvalidIdentifier }

func errInvalidIdent(msg string) error { return identError(msg) }

func quoteIdent(name string) string {
	if strings.IndexByte(name, '"') < 0 {
		return `"` + name + `"`
	}
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

func appendIdent(b []byte, name string) []byte {
	b = append(b, '"')
	for i := 0; i < len(name); i++ {
		if name[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, name[i])
	}
	return append(b, '"')
}

// parseQualified walks the parts of a qualified name.
func parseQualified(name string, part func(p string, quoted bool)) error {
	if name == "" {
		return errInvalidIdent("empty identifier")
	}
	if strings.IndexByte(name, 0) >= 0 {
		return errInvalidIdent("identifier contains NUL")
	}
	i := 0
	for {
		if i < len(name) && name[i] == '"' {
			var sb strings.Builder
			j := i + 1
			closed := false
			for j < len(name) {
				if name[j] == '"' {
					if j+1 < len(name) && name[j+1] == '"' {
						sb.WriteByte('"')
						j += 2
						continue
					}
					closed = true
					j++
					break
				}
				sb.WriteByte(name[j])
				j++
			}
			if !closed {
				return errInvalidIdent("unterminated quoted identifier in " + quoteForMsg(name))
			}
			p := sb.String()
			if err := checkIdent(p); err != nil {
				return err
			}
			part(p, true)
			i = j
		} else {
			j := i
			for j < len(name) && name[j] != '.' && name[j] != '"' {
				j++
			}
			p := name[i:j]
			if p == "" {
				return errInvalidIdent("empty part in qualified name " + quoteForMsg(name))
			}
			if err := checkIdent(p); err != nil {
				return err
			}
			part(p, false)
			i = j
		}
		if i == len(name) {
			return nil
		}
		if name[i] != '.' {
			return errInvalidIdent("unexpected character in qualified name " + quoteForMsg(name))
		}
		i++
		if i == len(name) {
			return errInvalidIdent("qualified name ends with a dot: " + quoteForMsg(name))
		}
	}
}

// quoteQualified quotes a possibly qualified name for the builders. A
// plain name, the common case, is quoted as it is, without the parser.
func quoteQualified(name string, allowStar bool) (string, error) {
	if plainIdent(name) {
		if allowStar && name == "*" {
			return "*", nil
		}
		return `"` + name + `"`, nil
	}
	b := make([]byte, 0, len(name)+6) // the quotes of up to three parts
	sawStar := false
	var starErr error
	err := parseQualified(name, func(p string, quoted bool) {
		if len(b) > 0 {
			b = append(b, '.')
		}
		if sawStar && starErr == nil {
			starErr = errInvalidIdent("* must be the last part of " + quoteForMsg(name))
		}
		if allowStar && !quoted && p == "*" {
			sawStar = true
			b = append(b, '*')
			return
		}
		b = appendIdent(b, p)
	})
	if err != nil {
		return "", err
	}
	if starErr != nil {
		return "", starErr
	}
	return string(b), nil
}

// plainIdent reports whether name is one part that needs no parsing: not
// empty, at most maxIdentLen bytes, without dot, double quote or NUL.
func plainIdent(name string) bool {
	if name == "" || len(name) > maxIdentLen {
		return false
	}
	for i := 0; i < len(name); i++ {
		switch name[i] {
		case '.', '"', 0:
			return false
		}
	}
	return true
}

// lastPart returns the last part of a qualified name, unquoted (used to
// name output columns of a subquery).
func lastPart(name string) string {
	var last string
	if parseQualified(name, func(p string, _ bool) { last = p }) != nil {
		return name
	}
	return last
}

// quoteForMsg renders a user string for an error message: Go-quoted and
// shortened so that an attacker-sized input does not flood logs.
func quoteForMsg(s string) string {
	const limit = 64
	if len(s) > limit {
		s = s[:limit] + "…"
	}
	return strconv.Quote(s)
}
