package observe

// tokenKind classifies a span of SQL text for Normalize and Operation.
type tokenKind uint8

const (
	tokSpace tokenKind = iota
	tokComment
	tokString // any string constant, including dollar-quoted ones
	tokNumber
	tokParam // $1, $2, ...
	tokWord  // keyword or unquoted identifier
	tokIdent // "quoted identifier"
	tokPunct // operator or punctuation, one byte at a time
)

type token struct {
	kind       tokenKind
	start, end int
}

// lexer splits PostgreSQL SQL into tokens. It knows just enough of the
// grammar to find literals and comments; it never rejects input, and an
// unterminated construct extends to the end of the text.
type lexer struct {
	src string
	pos int
	// backslashes reads the text as with standard_conforming_strings
	// off: a backslash in a plain '..' or N'..' string escapes the next
	// byte, as in E'..'. B'..', X'..' and U&'..' never take escapes.
	backslashes bool
}

func (lx *lexer) next() (token, bool) {
	if lx.pos >= len(lx.src) {
		return token{}, false
	}
	start := lx.pos
	kind := lx.scan()
	return token{kind: kind, start: start, end: lx.pos}, true
}

func (lx *lexer) scan() tokenKind {
	s, i := lx.src, lx.pos
	c := s[i]
	switch {
	case isSpace(c):
		lx.pos = lx.skipWhile(i, isSpace)
		return tokSpace
	case c == '-' && i+1 < len(s) && s[i+1] == '-':
		lx.pos = lx.lineEnd(i)
		return tokComment
	case c == '/' && i+1 < len(s) && s[i+1] == '*':
		lx.pos = lx.blockCommentEnd(i + 2)
		return tokComment
	case c == '\'':
		lx.pos = lx.quotedEnd(i+1, '\'', lx.backslashes)
		return tokString
	case c == '"':
		lx.pos = lx.quotedEnd(i+1, '"', false)
		return tokIdent
	case c == '$':
		return lx.scanDollar(i)
	case isDigit(c) || (c == '.' && i+1 < len(s) && isDigit(s[i+1])):
		lx.pos = lx.numberEnd(i)
		return tokNumber
	case isWordStart(c):
		return lx.scanWord(i)
	default:
		lx.pos = i + 1
		return tokPunct
	}
}

// scanWord reads a keyword or identifier, or a string constant with a
// prefix: E'..' (escapes), B'..', X'..', N'..' and U&'..'.
func (lx *lexer) scanWord(i int) tokenKind {
	s := lx.src
	end := lx.skipWhile(i, isWordPart)
	word := s[i:end]
	if end < len(s) && s[end] == '\'' && len(word) == 1 {
		switch word[0] {
		case 'e', 'E':
			lx.pos = lx.quotedEnd(end+1, '\'', true)
			return tokString
		case 'n', 'N':
			lx.pos = lx.quotedEnd(end+1, '\'', lx.backslashes)
			return tokString
		case 'b', 'B', 'x', 'X':
			lx.pos = lx.quotedEnd(end+1, '\'', false)
			return tokString
		}
	}
	if (word == "u" || word == "U") && end+1 < len(s) && s[end] == '&' {
		switch s[end+1] {
		case '\'':
			lx.pos = lx.quotedEnd(end+2, '\'', false)
			return tokString
		case '"':
			lx.pos = lx.quotedEnd(end+2, '"', false)
			return tokIdent
		}
	}
	lx.pos = end
	return tokWord
}

// scanDollar reads $n parameters and $tag$...$tag$ strings. A lone $ is
// punctuation.
func (lx *lexer) scanDollar(i int) tokenKind {
	s := lx.src
	if i+1 < len(s) && isDigit(s[i+1]) {
		lx.pos = lx.skipWhile(i+1, isDigit)
		return tokParam
	}
	j := i + 1
	if j < len(s) && isWordStart(s[j]) {
		j = lx.skipWhile(j, isTagPart)
	}
	if j >= len(s) || s[j] != '$' {
		lx.pos = i + 1
		return tokPunct
	}
	delim := s[i : j+1]
	body := j + 1
	for k := body; k+len(delim) <= len(s); k++ {
		if s[k] == '$' && s[k:k+len(delim)] == delim {
			lx.pos = k + len(delim)
			return tokString
		}
	}
	lx.pos = len(s)
	return tokString
}

// quotedEnd returns the position after the closing quote q of a literal
// whose body starts at i. A doubled quote is an escaped quote; with
// backslash set, a backslash escapes the next byte (E” strings).
func (lx *lexer) quotedEnd(i int, q byte, backslash bool) int {
	s := lx.src
	for i < len(s) {
		switch c := s[i]; {
		case backslash && c == '\\':
			i += 2
		case c == q && i+1 < len(s) && s[i+1] == q:
			i += 2
		case c == q:
			return i + 1
		default:
			i++
		}
	}
	return len(s)
}

func (lx *lexer) numberEnd(i int) int {
	s := lx.src
	if s[i] == '0' && i+1 < len(s) && (s[i+1]|0x20 == 'x' || s[i+1]|0x20 == 'o' || s[i+1]|0x20 == 'b') {
		return lx.skipWhile(i+2, isHexPart)
	}
	i = lx.skipWhile(i, isDecimalPart)
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && isDigit(s[j]) {
			i = lx.skipWhile(j, isDigit)
		}
	}
	return i
}

func (lx *lexer) lineEnd(i int) int {
	for i < len(lx.src) && lx.src[i] != '\n' {
		i++
	}
	return i
}

// blockCommentEnd handles nesting, which PostgreSQL allows in /* */ comments.
func (lx *lexer) blockCommentEnd(i int) int {
	s, depth := lx.src, 1
	for i+1 < len(s) {
		switch {
		case s[i] == '/' && s[i+1] == '*':
			depth++
			i += 2
		case s[i] == '*' && s[i+1] == '/':
			depth--
			i += 2
			if depth == 0 {
				return i
			}
		default:
			i++
		}
	}
	return len(s)
}

func (lx *lexer) skipWhile(i int, f func(byte) bool) int {
	for i < len(lx.src) && f(lx.src[i]) {
		i++
	}
	return i
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isWordStart(c byte) bool {
	return c == '_' || (c|0x20 >= 'a' && c|0x20 <= 'z') || c >= 0x80
}

func isWordPart(c byte) bool { return isWordStart(c) || isDigit(c) || c == '$' }

func isTagPart(c byte) bool { return isWordStart(c) || isDigit(c) }

func isDecimalPart(c byte) bool { return isDigit(c) || c == '.' || c == '_' }

func isHexPart(c byte) bool {
	return isDigit(c) || c == '_' || (c|0x20 >= 'a' && c|0x20 <= 'f')
}
