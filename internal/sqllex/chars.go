package sqllex

// The character classes of PostgreSQL's scanner (src/backend/parser/scan.l).
// Bytes of multi-byte UTF-8 characters (0x80 and up) count as letters.

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// IsIdentStart reports whether c may start an unquoted identifier or
// keyword: a letter, _ or a byte of a multi-byte character.
func IsIdentStart(c byte) bool {
	return c == '_' || (c|0x20 >= 'a' && c|0x20 <= 'z') || c >= 0x80
}

// IsIdentPart reports whether c may continue an unquoted identifier: what
// may start one, a digit, or $.
func IsIdentPart(c byte) bool { return IsIdentStart(c) || isDigit(c) || c == '$' }

func isIdentStart(c byte) bool { return IsIdentStart(c) }

func isIdentPart(c byte) bool { return IsIdentPart(c) }

// isTagPart: a dollar-quote tag is an identifier without $.
func isTagPart(c byte) bool { return isIdentStart(c) || isDigit(c) }

func isDecimalPart(c byte) bool { return isDigit(c) || c == '.' || c == '_' }

func isHexPart(c byte) bool {
	return isDigit(c) || c == '_' || (c|0x20 >= 'a' && c|0x20 <= 'f')
}
