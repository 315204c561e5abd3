package pool

import "strings"

type tokKind uint8

const (
	tokWord      tokKind = iota // unquoted identifier or keyword, lowercased
	tokOther                    // literal, quoted identifier, parameter, operator
	tokOpen                     // (
	tokClose                    // )
	tokComma                    // ,
	tokSemicolon                // ;
)

type token struct {
	kind tokKind
	word string // lowercased text, tokWord only
}

// scanner splits SQL text into the few token kinds classification needs. It
// understands PostgreSQL's lexical rules for what must be skipped: -- and
// nested /* */ comments, '…' and E'…' strings, "…" identifiers and $tag$
// dollar quotes. It never fails: unterminated constructs end the text.
type scanner struct {
	src string
	pos int
}

func (s *scanner) next() (token, bool) {
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
			return token{kind: tokOther}, true
		case c == '"':
			s.skipQuoted('"')
			return token{kind: tokOther}, true
		case c == '$':
			s.dollar()
			return token{kind: tokOther}, true
		case c == '(':
			s.pos++
			return token{kind: tokOpen}, true
		case c == ')':
			s.pos++
			return token{kind: tokClose}, true
		case c == ',':
			s.pos++
			return token{kind: tokComma}, true
		case c == ';':
			s.pos++
			return token{kind: tokSemicolon}, true
		case isIdentStart(c):
			return s.word(), true
		default:
			s.pos++
			for s.pos < len(s.src) && isDigit(s.src[s.pos]) {
				s.pos++
			}
			return token{kind: tokOther}, true
		}
	}
	return token{}, false
}

func (s *scanner) peek(n int) byte {
	if s.pos+n < len(s.src) {
		return s.src[s.pos+n]
	}
	return 0
}

func (s *scanner) word() token {
	start := s.pos
	for s.pos < len(s.src) && isIdentPart(s.src[s.pos]) {
		s.pos++
	}
	w := s.src[start:s.pos]
	if s.pos < len(s.src) && s.src[s.pos] == '\'' && (w == "e" || w == "E") {
		s.skipString(true)
		return token{kind: tokOther}
	}
	return token{kind: tokWord, word: strings.ToLower(w)}
}

func (s *scanner) skipLine() {
	for s.pos < len(s.src) && s.src[s.pos] != '\n' {
		s.pos++
	}
}

func (s *scanner) skipBlock() {
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
func (s *scanner) skipString(backslash bool) {
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

func (s *scanner) skipQuoted(q byte) {
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
func (s *scanner) dollar() {
	start := s.pos
	s.pos++
	if s.pos < len(s.src) && isDigit(s.src[s.pos]) {
		for s.pos < len(s.src) && isDigit(s.src[s.pos]) {
			s.pos++
		}
		return
	}
	for s.pos < len(s.src) && isIdentPart(s.src[s.pos]) && s.src[s.pos] != '$' {
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

func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80
}

func isIdentPart(c byte) bool { return isIdentStart(c) || isDigit(c) || c == '$' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
