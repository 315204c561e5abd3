package sqllex

import "strings"

// Token is one token of the text: its kind and its byte range
// src[Start:End]. Tokens are contiguous and cover the whole text.
type Token struct {
	Kind       Kind
	Start, End int
	// Unterminated is set on a String, DollarString, QuotedIdent or block
	// Comment that the text ends inside of; End is then len(src). Callers
	// that build SQL reject it; callers that only read SQL (masking,
	// classification) treat the rest of the text as part of the token,
	// which is the safe reading.
	Unterminated bool
}

// Scanner splits PostgreSQL SQL text into tokens, one Next call at a
// time. It keeps no tokens and allocates nothing. The zero value scans
// the empty text; use New.
type Scanner struct {
	src string
	pos int
	// Backslashes reads the text as the server does with
	// standard_conforming_strings off: a backslash in a plain '…' or N'…'
	// string escapes the next byte, as it always does in E'…'. B'…', X'…'
	// and U&'…' never take backslash escapes. Off by default, the
	// server's default since PostgreSQL 9.1.
	Backslashes bool
}

// New returns a Scanner at the start of src, with
// standard_conforming_strings on.
func New(src string) Scanner { return Scanner{src: src} }

// Pos returns the offset of the next token.
func (s *Scanner) Pos() int { return s.pos }

// Next returns the next token; ok is false at the end of the text. It
// never fails: see Token.Unterminated.
func (s *Scanner) Next() (tok Token, ok bool) {
	if s.pos >= len(s.src) {
		return Token{}, false
	}
	start := s.pos
	kind, open := s.scan()
	return Token{Kind: kind, Start: start, End: s.pos, Unterminated: open}, true
}

func (s *Scanner) scan() (Kind, bool) {
	src, i := s.src, s.pos
	c := src[i]
	switch {
	case classes[c]&cSpace != 0:
		s.pos = skip(src, i+1, cSpace)
		return Space, false
	case c == '-' && at(src, i+1) == '-':
		// A line comment ends at a newline or a carriage return, as in
		// PostgreSQL's scanner (scan.l: non_newline is [^\n\r]).
		j := strings.IndexAny(src[i+2:], "\n\r")
		if j < 0 {
			s.pos = len(src)
		} else {
			s.pos = i + 2 + j
		}
		return Comment, false
	case c == '/' && at(src, i+1) == '*':
		return Comment, s.blockComment(i + 2)
	case c == '\'':
		return String, s.quoted(i+1, '\'', s.Backslashes)
	case c == '"':
		return QuotedIdent, s.quoted(i+1, '"', false)
	case c == '$':
		return s.dollar(i)
	case c == ':' && at(src, i+1) == ':':
		s.pos = i + 2
		return Cast, false
	case c == ';':
		s.pos = i + 1
		return Semicolon, false
	case isDigit(c) || (c == '.' && isDigit(at(src, i+1))):
		s.pos = numberEnd(src, i)
		return Number, false
	case classes[c]&cStart != 0:
		return s.word(i)
	}
	s.pos = i + 1
	return Punct, false
}

// word reads a keyword or identifier, or a string constant with a
// one-letter prefix (E'…', N'…', B'…', X'…') or U&'…' / U&"…". Like
// PostgreSQL, a prefix counts only as a whole word: ae'x' is the
// identifier ae followed by a string.
func (s *Scanner) word(i int) (Kind, bool) {
	src := s.src
	end := skip(src, i+1, cPart)
	if end-i == 1 {
		switch c := src[i] | 0x20; {
		case at(src, end) == '\'':
			switch c {
			case 'e':
				return String, s.quoted(end+1, '\'', true)
			case 'n':
				return String, s.quoted(end+1, '\'', s.Backslashes)
			case 'b', 'x':
				return String, s.quoted(end+1, '\'', false)
			}
		case c == 'u' && at(src, end) == '&':
			switch at(src, end+1) {
			case '\'':
				return String, s.quoted(end+2, '\'', false)
			case '"':
				return QuotedIdent, s.quoted(end+2, '"', false)
			}
		}
	}
	s.pos = end
	return Word, false
}

// dollar reads a $n parameter or a dollar-quoted string at i. A $ that
// starts neither is punctuation. A $ inside a word (a$b, a$1) never gets
// here: the word took it.
func (s *Scanner) dollar(i int) (Kind, bool) {
	src := s.src
	if isDigit(at(src, i+1)) {
		s.pos = skip(src, i+1, cDigit)
		return Param, false
	}
	j := i + 1
	if IsIdentStart(at(src, j)) {
		j = skip(src, j+1, cTag)
	}
	if at(src, j) != '$' {
		s.pos = i + 1
		return Punct, false
	}
	delim := src[i : j+1]
	body := j + 1
	if k := strings.Index(src[body:], delim); k >= 0 {
		s.pos = body + k + len(delim)
		return DollarString, false
	}
	s.pos = len(src)
	return DollarString, true
}

// quoted moves past a quoted run whose body starts at i and reports
// whether the text ended first. A doubled quote is a quote; with
// backslash set, a backslash escapes the next byte.
func (s *Scanner) quoted(i int, q byte, backslash bool) bool {
	src := s.src
	for i < len(src) {
		switch c := src[i]; {
		case backslash && c == '\\':
			i += 2
		case c == q && at(src, i+1) == q:
			i += 2
		case c == q:
			s.pos = i + 1
			return false
		default:
			i++
		}
	}
	s.pos = len(src)
	return true
}

// blockComment moves past a block comment whose body starts at i;
// PostgreSQL nests them.
func (s *Scanner) blockComment(i int) bool {
	src, depth := s.src, 1
	for i+1 < len(src) {
		switch {
		case src[i] == '/' && src[i+1] == '*':
			depth++
			i += 2
		case src[i] == '*' && src[i+1] == '/':
			depth--
			i += 2
			if depth == 0 {
				s.pos = i
				return false
			}
		default:
			i++
		}
	}
	s.pos = len(src)
	return true
}

// numberEnd returns the end of the numeric constant at i: decimal digits
// with _ separators and a fraction, an exponent, or a 0x, 0o, 0b prefix.
func numberEnd(src string, i int) int {
	if src[i] == '0' {
		switch at(src, i+1) | 0x20 {
		case 'x', 'o', 'b':
			return skip(src, i+2, cHex)
		}
	}
	i = skip(src, i, cDecimal)
	if c := at(src, i); c == 'e' || c == 'E' {
		j := i + 1
		if c := at(src, j); c == '+' || c == '-' {
			j++
		}
		if isDigit(at(src, j)) {
			i = skip(src, j, cDigit)
		}
	}
	return i
}

// DollarTag returns the opening delimiter ($$ or $tag$) of the
// DollarString token text, or "" when text is not one.
func DollarTag(text string) string {
	if len(text) < 2 || text[0] != '$' {
		return ""
	}
	if j := strings.IndexByte(text[1:], '$'); j >= 0 {
		return text[:j+2]
	}
	return ""
}

// at returns src[i], or 0 past the end.
func at(src string, i int) byte {
	if i < len(src) {
		return src[i]
	}
	return 0
}
