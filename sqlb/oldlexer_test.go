package sqlb

import "strconv"

// This file is the lexer sqlb had before it used internal/sqllex, with
// the ? converter on top, kept as the reference of the differential fuzz
// tests (oldfuzz_test.go) until the next release drops it. It is test
// code: do not fix it.
//
// It was shared by the ? placeholder converter and
// the named-parameter parser. It knows just enough PostgreSQL lexical
// structure to tell where a placeholder may appear: it skips
//
//   - string literals '...' with '' escapes, and E'...' / e'...' literals in
//     which a backslash escapes the next character (standard_conforming_strings
//     is assumed on, the default since PostgreSQL 9.1);
//   - quoted identifiers "..." with "" escapes;
//   - dollar-quoted bodies $$...$$ and $tag$...$tag$;
//   - line comments -- ... and nested block comments /* ... /* ... */ ... */.
//
// Everything else is plain text in which placeholders are recognized.

func oldIsIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80
}

func oldIsIdentChar(c byte) bool {
	return oldIsIdentStart(c) || (c >= '0' && c <= '9') || c == '$'
}

func oldIsDigit(c byte) bool { return c >= '0' && c <= '9' }

type oldLexError string

func (e oldLexError) Error() string { return ErrPlaceholders.Error() + ": " + string(e) }
func (e oldLexError) Unwrap() error { return ErrPlaceholders }

// oldSkipLexeme reports whether sql[i] starts a literal, quoted identifier,
// dollar-quoted body or comment and, if so, returns the index just past it.
func oldSkipLexeme(sql string, i int) (int, bool, error) {
	switch sql[i] {
	case '\'':
		escapes := i > 0 && (sql[i-1] == 'E' || sql[i-1] == 'e') && (i == 1 || !oldIsIdentChar(sql[i-2]))
		for j := i + 1; j < len(sql); j++ {
			switch sql[j] {
			case '\\':
				if escapes {
					j++
				}
			case '\'':
				if j+1 < len(sql) && sql[j+1] == '\'' {
					j++
					continue
				}
				return j + 1, true, nil
			}
		}
		return 0, false, oldLexError("unterminated string literal")
	case '"':
		for j := i + 1; j < len(sql); j++ {
			if sql[j] == '"' {
				if j+1 < len(sql) && sql[j+1] == '"' {
					j++
					continue
				}
				return j + 1, true, nil
			}
		}
		return 0, false, oldLexError("unterminated quoted identifier")
	case '$':
		if i > 0 && oldIsIdentChar(sql[i-1]) {
			return i, false, nil // part of an identifier such as a$b
		}
		j := i + 1
		if j < len(sql) && oldIsIdentStart(sql[j]) {
			j++
			for j < len(sql) && oldIsIdentChar(sql[j]) && sql[j] != '$' {
				j++
			}
		}
		if j >= len(sql) || sql[j] != '$' {
			return i, false, nil
		}
		tag := sql[i : j+1]
		for k := j + 1; k+len(tag) <= len(sql); k++ {
			if sql[k] == '$' && sql[k:k+len(tag)] == tag {
				return k + len(tag), true, nil
			}
		}
		return 0, false, oldLexError("unterminated dollar-quoted string " + tag)
	case '-':
		if i+1 < len(sql) && sql[i+1] == '-' {
			for j := i + 2; j < len(sql); j++ {
				if sql[j] == '\n' {
					return j + 1, true, nil
				}
			}
			return len(sql), true, nil
		}
	case '/':
		if i+1 < len(sql) && sql[i+1] == '*' {
			depth := 1
			for j := i + 2; j < len(sql)-1; j++ {
				if sql[j] == '/' && sql[j+1] == '*' {
					depth++
					j++
				} else if sql[j] == '*' && sql[j+1] == '/' {
					depth--
					j++
					if depth == 0 {
						return j + 1, true, nil
					}
				}
			}
			return 0, false, oldLexError("unterminated block comment")
		}
	}
	return i, false, nil
}

// oldMayStartLexeme is a cheap pre-check for oldSkipLexeme.
func oldMayStartLexeme(c byte) bool {
	return c == '\'' || c == '"' || c == '$' || c == '-' || c == '/'
}

// oldPositionalAt reports whether sql[i] == '$' starts a $n parameter.
func oldPositionalAt(sql string, i int) bool {
	return i+1 < len(sql) && oldIsDigit(sql[i+1]) && (i == 0 || !oldIsIdentChar(sql[i-1]))
}

// oldCountPlaceholders returns the number of ? placeholders in sql, skipping
// literals, quoted identifiers, dollar-quoted bodies and comments, and
// treating ?? as an escaped literal ?. It fails on unterminated lexemes
// and on $n positional parameters (which cannot be mixed with ?).
func oldCountPlaceholders(sql string) (int, error) {
	n := 0
	for i := 0; i < len(sql); i++ {
		c := sql[i]
		if c == '?' {
			if i+1 < len(sql) && sql[i+1] == '?' {
				i++
				continue
			}
			n++
			continue
		}
		if !oldMayStartLexeme(c) {
			continue
		}
		if c == '$' && oldPositionalAt(sql, i) {
			return 0, oldLexError("positional parameter $" + string(sql[i+1]) + "… in a fragment; use ? placeholders")
		}
		j, ok, err := oldSkipLexeme(sql, i)
		if err != nil {
			return 0, err
		}
		if ok {
			i = j - 1
		}
	}
	return n, nil
}

// appendFragment appends a SQL fragment with ? placeholders to w, binding
// args in order. A Sqlizer argument is expanded in place (as squirrel's Expr
// does); other arguments become parameters. In $ mode ?? becomes ?, in ?
// mode it stays ?? for the outer statement to resolve.
func (w *writer) oldAppendFragment(sql string, args []any) error {
	// Fast path: nothing that needs the lexer.
	if len(args) == 0 && !oldHasLexChars(sql) {
		w.buf = append(w.buf, sql...)
		return nil
	}
	start := 0
	k := 0
	for i := 0; i < len(sql); i++ {
		c := sql[i]
		if c == '?' {
			w.buf = append(w.buf, sql[start:i]...)
			if i+1 < len(sql) && sql[i+1] == '?' {
				if w.dollar {
					w.buf = append(w.buf, '?')
				} else {
					w.buf = append(w.buf, '?', '?')
				}
				i++
				start = i + 1
				continue
			}
			if k >= len(args) {
				return oldLexError("more ? placeholders than arguments (" + strconv.Itoa(len(args)) + ")")
			}
			// Keep $n a token of its own: a$1 would be an identifier and
			// $1 followed by 0 would be $10.
			if w.dollar && len(w.buf) > 0 && oldIsIdentChar(w.buf[len(w.buf)-1]) {
				w.buf = append(w.buf, ' ')
			}
			if err := w.arg(args[k]); err != nil {
				return err
			}
			if w.dollar && i+1 < len(sql) && oldIsIdentChar(sql[i+1]) {
				w.buf = append(w.buf, ' ')
			}
			k++
			start = i + 1
			continue
		}
		if !oldMayStartLexeme(c) {
			continue
		}
		if c == '$' && oldPositionalAt(sql, i) {
			return oldLexError("positional parameter $" + string(sql[i+1]) + "… in a fragment; use ? placeholders")
		}
		j, ok, err := oldSkipLexeme(sql, i)
		if err != nil {
			return err
		}
		if ok {
			i = j - 1
		}
	}
	w.buf = append(w.buf, sql[start:]...)
	if k != len(args) {
		return oldLexError(strconv.Itoa(k) + " ? placeholders but " + strconv.Itoa(len(args)) + " arguments")
	}
	return nil
}

func oldHasLexChars(sql string) bool {
	for i := 0; i < len(sql); i++ {
		switch sql[i] {
		case '?', '$', '\'', '"', '-', '/':
			return true
		}
	}
	return false
}
