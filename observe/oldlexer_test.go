package observe

// This file is the lexer observe had before it used internal/sqllex, kept
// as the reference of the differential fuzz test (oldnormalize_test.go)
// until the next release drops it. It is test code: do not fix it.

// oldTokenKind classifies a span of SQL text for Normalize and Operation.
type oldTokenKind uint8

const (
	oldTokSpace oldTokenKind = iota
	oldTokComment
	oldTokString // any string constant, including dollar-quoted ones
	oldTokNumber
	oldTokParam // $1, $2, ...
	oldTokWord  // keyword or unquoted identifier
	oldTokIdent // "quoted identifier"
	oldTokPunct // operator or punctuation, one byte at a time
)

type oldToken struct {
	kind       oldTokenKind
	start, end int
}

// oldLexer splits PostgreSQL SQL into tokens. It knows just enough of the
// grammar to find literals and comments; it never rejects input, and an
// unterminated construct extends to the end of the text.
type oldLexer struct {
	src string
	pos int
	// backslashes reads the text as with standard_conforming_strings
	// off: a backslash in a plain '..' or N'..' string escapes the next
	// byte, as in E'..'. B'..', X'..' and U&'..' never take escapes.
	backslashes bool
}

func (lx *oldLexer) next() (oldToken, bool) {
	if lx.pos >= len(lx.src) {
		return oldToken{}, false
	}
	start := lx.pos
	kind := lx.scan()
	return oldToken{kind: kind, start: start, end: lx.pos}, true
}

func (lx *oldLexer) scan() oldTokenKind {
	s, i := lx.src, lx.pos
	c := s[i]
	switch {
	case oldIsSpace(c):
		lx.pos = lx.skipWhile(i, oldIsSpace)
		return oldTokSpace
	case c == '-' && i+1 < len(s) && s[i+1] == '-':
		lx.pos = lx.lineEnd(i)
		return oldTokComment
	case c == '/' && i+1 < len(s) && s[i+1] == '*':
		lx.pos = lx.blockCommentEnd(i + 2)
		return oldTokComment
	case c == '\'':
		lx.pos = lx.quotedEnd(i+1, '\'', lx.backslashes)
		return oldTokString
	case c == '"':
		lx.pos = lx.quotedEnd(i+1, '"', false)
		return oldTokIdent
	case c == '$':
		return lx.scanDollar(i)
	case oldIsDigit(c) || (c == '.' && i+1 < len(s) && oldIsDigit(s[i+1])):
		lx.pos = lx.numberEnd(i)
		return oldTokNumber
	case oldIsWordStart(c):
		return lx.scanWord(i)
	default:
		lx.pos = i + 1
		return oldTokPunct
	}
}

// scanWord reads a keyword or identifier, or a string constant with a
// prefix: E'..' (escapes), B'..', X'..', N'..' and U&'..'.
func (lx *oldLexer) scanWord(i int) oldTokenKind {
	s := lx.src
	end := lx.skipWhile(i, oldIsWordPart)
	word := s[i:end]
	if end < len(s) && s[end] == '\'' && len(word) == 1 {
		switch word[0] {
		case 'e', 'E':
			lx.pos = lx.quotedEnd(end+1, '\'', true)
			return oldTokString
		case 'n', 'N':
			lx.pos = lx.quotedEnd(end+1, '\'', lx.backslashes)
			return oldTokString
		case 'b', 'B', 'x', 'X':
			lx.pos = lx.quotedEnd(end+1, '\'', false)
			return oldTokString
		}
	}
	if (word == "u" || word == "U") && end+1 < len(s) && s[end] == '&' {
		switch s[end+1] {
		case '\'':
			lx.pos = lx.quotedEnd(end+2, '\'', false)
			return oldTokString
		case '"':
			lx.pos = lx.quotedEnd(end+2, '"', false)
			return oldTokIdent
		}
	}
	lx.pos = end
	return oldTokWord
}

// scanDollar reads $n parameters and $tag$...$tag$ strings. A lone $ is
// punctuation.
func (lx *oldLexer) scanDollar(i int) oldTokenKind {
	s := lx.src
	if i+1 < len(s) && oldIsDigit(s[i+1]) {
		lx.pos = lx.skipWhile(i+1, oldIsDigit)
		return oldTokParam
	}
	j := i + 1
	if j < len(s) && oldIsWordStart(s[j]) {
		j = lx.skipWhile(j, oldIsTagPart)
	}
	if j >= len(s) || s[j] != '$' {
		lx.pos = i + 1
		return oldTokPunct
	}
	delim := s[i : j+1]
	body := j + 1
	for k := body; k+len(delim) <= len(s); k++ {
		if s[k] == '$' && s[k:k+len(delim)] == delim {
			lx.pos = k + len(delim)
			return oldTokString
		}
	}
	lx.pos = len(s)
	return oldTokString
}

// quotedEnd returns the position after the closing quote q of a literal
// whose body starts at i. A doubled quote is an escaped quote; with
// backslash set, a backslash escapes the next byte (E” strings).
func (lx *oldLexer) quotedEnd(i int, q byte, backslash bool) int {
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

func (lx *oldLexer) numberEnd(i int) int {
	s := lx.src
	if s[i] == '0' && i+1 < len(s) && (s[i+1]|0x20 == 'x' || s[i+1]|0x20 == 'o' || s[i+1]|0x20 == 'b') {
		return lx.skipWhile(i+2, oldIsHexPart)
	}
	i = lx.skipWhile(i, oldIsDecimalPart)
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && oldIsDigit(s[j]) {
			i = lx.skipWhile(j, oldIsDigit)
		}
	}
	return i
}

func (lx *oldLexer) lineEnd(i int) int {
	for i < len(lx.src) && lx.src[i] != '\n' {
		i++
	}
	return i
}

// blockCommentEnd handles nesting, which PostgreSQL allows in /* */ comments.
func (lx *oldLexer) blockCommentEnd(i int) int {
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

func (lx *oldLexer) skipWhile(i int, f func(byte) bool) int {
	for i < len(lx.src) && f(lx.src[i]) {
		i++
	}
	return i
}

func oldIsSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func oldIsDigit(c byte) bool { return c >= '0' && c <= '9' }

func oldIsWordStart(c byte) bool {
	return c == '_' || (c|0x20 >= 'a' && c|0x20 <= 'z') || c >= 0x80
}

func oldIsWordPart(c byte) bool { return oldIsWordStart(c) || oldIsDigit(c) || c == '$' }

func oldIsTagPart(c byte) bool { return oldIsWordStart(c) || oldIsDigit(c) }

func oldIsDecimalPart(c byte) bool { return oldIsDigit(c) || c == '.' || c == '_' }

func oldIsHexPart(c byte) bool {
	return oldIsDigit(c) || c == '_' || (c|0x20 >= 'a' && c|0x20 <= 'f')
}
