package sqlb

import (
	"strconv"

	"github.com/normkit/norm/internal/sqllex"
)

// Placeholders in SQL fragments are found with norm's one PostgreSQL
// lexer (internal/sqllex): a ? inside a string literal (standard_conforming_strings
// on, E'…' with backslash escapes), a quoted identifier, a dollar-quoted
// body or a comment is text, not a placeholder. This file holds what sqlb
// does on top of its tokens.

type lexError string

func (e lexError) Error() string { return ErrPlaceholders.Error() + ": " + string(e) }
func (e lexError) Unwrap() error { return ErrPlaceholders }

// unterminated returns the error for a token the fragment ends inside
// of, or nil.
func unterminated(sql string, tok sqllex.Token) error {
	if !tok.Unterminated {
		return nil
	}
	switch tok.Kind {
	case sqllex.String:
		return lexError("unterminated string literal")
	case sqllex.QuotedIdent:
		return lexError("unterminated quoted identifier")
	case sqllex.DollarString:
		return lexError("unterminated dollar-quoted string " + sqllex.DollarTag(sql[tok.Start:tok.End]))
	}
	return lexError("unterminated block comment")
}

// positionalError is the error for a $n parameter in a ? fragment.
func positionalError(sql string, tok sqllex.Token) error {
	return lexError("positional parameter $" + string(sql[tok.Start+1]) + "… in a fragment; use ? placeholders")
}

// isQuestion reports whether tok, a token Find("?") returned, is a ? (the
// only punctuation Find stops at then) and, if so, whether the next byte
// is another (?? is an escaped literal ?).
func isQuestion(sql string, tok sqllex.Token) (question, doubled bool) {
	if tok.Kind != sqllex.Punct {
		return false, false
	}
	return true, tok.End < len(sql) && sql[tok.End] == '?'
}

// CountPlaceholders returns the number of ? placeholders in sql, skipping
// literals, quoted identifiers, dollar-quoted bodies and comments, and
// treating ?? as an escaped literal ?. It fails on unterminated lexemes
// and on $n positional parameters (which cannot be mixed with ?).
func CountPlaceholders(sql string) (int, error) {
	n := 0
	lx := sqllex.New(sql)
	for {
		tok, ok := lx.Find("?")
		if !ok {
			return n, nil
		}
		if tok.Unterminated {
			return 0, unterminated(sql, tok)
		}
		if tok.Kind == sqllex.Param {
			return 0, positionalError(sql, tok)
		}
		if q, doubled := isQuestion(sql, tok); doubled {
			lx.Next()
		} else if q {
			n++
		}
	}
}

// appendFragment appends a SQL fragment with ? placeholders to w, binding
// args in order. A Sqlizer argument is expanded in place (as squirrel's Expr
// does); other arguments become parameters. In $ mode ?? becomes ?, in ?
// mode it stays ?? for the outer statement to resolve.
func (w *writer) appendFragment(sql string, args []any) error {
	// Fast path: nothing that needs the lexer.
	if len(args) == 0 && !hasLexChars(sql) {
		w.buf = append(w.buf, sql...)
		return nil
	}
	start := 0
	k := 0
	lx := sqllex.New(sql)
	for {
		tok, ok := lx.Find("?")
		if !ok {
			break
		}
		if tok.Unterminated {
			return unterminated(sql, tok)
		}
		if tok.Kind == sqllex.Param {
			return positionalError(sql, tok)
		}
		q, doubled := isQuestion(sql, tok)
		if !q {
			continue
		}
		i := tok.Start
		w.buf = append(w.buf, sql[start:i]...)
		if doubled {
			if w.dollar {
				w.buf = append(w.buf, '?')
			} else {
				w.buf = append(w.buf, '?', '?')
			}
			lx.Next()
			start = i + 2
			continue
		}
		if k >= len(args) {
			return lexError("more ? placeholders than arguments (" + strconv.Itoa(len(args)) + ")")
		}
		// Keep $n a token of its own: a$1 would be an identifier and
		// $1 followed by 0 would be $10.
		if w.dollar && len(w.buf) > 0 && sqllex.IsIdentPart(w.buf[len(w.buf)-1]) {
			w.buf = append(w.buf, ' ')
		}
		if err := w.arg(args[k]); err != nil {
			return err
		}
		if w.dollar && i+1 < len(sql) && sqllex.IsIdentPart(sql[i+1]) {
			w.buf = append(w.buf, ' ')
		}
		k++
		start = i + 1
	}
	w.buf = append(w.buf, sql[start:]...)
	if k != len(args) {
		return lexError(strconv.Itoa(k) + " ? placeholders but " + strconv.Itoa(len(args)) + " arguments")
	}
	return nil
}

func hasLexChars(sql string) bool {
	for i := 0; i < len(sql); i++ {
		switch sql[i] {
		case '?', '$', '\'', '"', '-', '/':
			return true
		}
	}
	return false
}
