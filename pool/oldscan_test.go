package pool

// This file is the scanner pool had before it used internal/sqllex, kept
// as the reference of FuzzClassifyOldVsNew (oldclassify_test.go) until
// the next release drops it. It is test code: do not fix it.

import "strings"

type oldTokKind uint8

const (
	oldTokWord      oldTokKind = iota // unquoted identifier or keyword, lowercased
	oldTokOther                       // literal, quoted identifier, parameter, operator
	oldTokOpen                        // (
	oldTokClose                       // )
	oldTokComma                       // ,
	oldTokSemicolon                   // ;
)

type oldToken struct {
	kind oldTokKind
	word string // lowercased text, oldTokWord only
}

// oldScanner splits SQL text into the few oldToken kinds classification needs. It
// understands PostgreSQL's lexical rules for what must be skipped: -- and
// nested /* */ comments, '…' and E'…' strings, "…" identifiers and $tag$
// dollar quotes. It never fails: unterminated constructs end the text.
type oldScanner struct {
	src string
	pos int
}

func (s *oldScanner) next() (oldToken, bool) {
	for s.pos < len(s.src) {
		c := s.src[s.pos]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			s.pos++
		case c == '-' && s.peek(1) == '-':
			s.skipLine()
		case c == '/' && s.peek(1) == '*':
			s.skipBlock()
		case c == '\'':
			s.skipString(false)
			return oldToken{kind: oldTokOther}, true
		case c == '"':
			s.skipQuoted('"')
			return oldToken{kind: oldTokOther}, true
		case c == '$':
			s.dollar()
			return oldToken{kind: oldTokOther}, true
		case c == '(':
			s.pos++
			return oldToken{kind: oldTokOpen}, true
		case c == ')':
			s.pos++
			return oldToken{kind: oldTokClose}, true
		case c == ',':
			s.pos++
			return oldToken{kind: oldTokComma}, true
		case c == ';':
			s.pos++
			return oldToken{kind: oldTokSemicolon}, true
		case oldIsIdentStart(c):
			return s.word(), true
		default:
			s.pos++
			for s.pos < len(s.src) && oldIsDigit(s.src[s.pos]) {
				s.pos++
			}
			return oldToken{kind: oldTokOther}, true
		}
	}
	return oldToken{}, false
}

func (s *oldScanner) peek(n int) byte {
	if s.pos+n < len(s.src) {
		return s.src[s.pos+n]
	}
	return 0
}

func (s *oldScanner) word() oldToken {
	start := s.pos
	for s.pos < len(s.src) && oldIsIdentPart(s.src[s.pos]) {
		s.pos++
	}
	w := s.src[start:s.pos]
	if s.pos < len(s.src) && s.src[s.pos] == '\'' && (w == "e" || w == "E") {
		s.skipString(true)
		return oldToken{kind: oldTokOther}
	}
	return oldToken{kind: oldTokWord, word: strings.ToLower(w)}
}

func (s *oldScanner) skipLine() {
	for s.pos < len(s.src) && s.src[s.pos] != '\n' {
		s.pos++
	}
}

func (s *oldScanner) skipBlock() {
	depth := 0
	for s.pos < len(s.src) {
		switch {
		case s.src[s.pos] == '/' && s.peek(1) == '*':
			depth++
			s.pos += 2
		case s.src[s.pos] == '*' && s.peek(1) == '/':
			depth--
			s.pos += 2
			if depth == 0 {
				return
			}
		default:
			s.pos++
		}
	}
}

// skipString skips '…' (a doubled quote is a quote); with backslash (E'…') a backslash
// escapes the next byte.
func (s *oldScanner) skipString(backslash bool) {
	s.pos++ // opening quote
	for s.pos < len(s.src) {
		c := s.src[s.pos]
		switch {
		case backslash && c == '\\':
			s.pos += 2
		case c == '\'' && s.peek(1) == '\'':
			s.pos += 2
		case c == '\'':
			s.pos++
			return
		default:
			s.pos++
		}
	}
}

func (s *oldScanner) skipQuoted(q byte) {
	s.pos++
	for s.pos < len(s.src) {
		if s.src[s.pos] == q {
			if s.peek(1) == q {
				s.pos += 2
				continue
			}
			s.pos++
			return
		}
		s.pos++
	}
}

// dollar skips a $n parameter or a $tag$…$tag$ quoted string.
func (s *oldScanner) dollar() {
	start := s.pos
	s.pos++
	if s.pos < len(s.src) && oldIsDigit(s.src[s.pos]) {
		for s.pos < len(s.src) && oldIsDigit(s.src[s.pos]) {
			s.pos++
		}
		return
	}
	for s.pos < len(s.src) && oldIsIdentPart(s.src[s.pos]) && s.src[s.pos] != '$' {
		s.pos++
	}
	if s.pos >= len(s.src) || s.src[s.pos] != '$' {
		return // a lone $ (operator-ish); keep scanning after it
	}
	s.pos++
	tag := s.src[start:s.pos]
	if end := strings.Index(s.src[s.pos:], tag); end >= 0 {
		s.pos += end + len(tag)
		return
	}
	s.pos = len(s.src)
}

func oldIsIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80
}

func oldIsIdentPart(c byte) bool { return oldIsIdentStart(c) || oldIsDigit(c) || c == '$' }

func oldIsDigit(c byte) bool { return c >= '0' && c <= '9' }
