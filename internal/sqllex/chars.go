package sqllex

// The character classes of PostgreSQL's scanner (src/backend/parser/scan.l),
// as bits of a table so that the scanning loops make no calls. Bytes of
// multi-byte UTF-8 characters (0x80 and up) count as letters.
const (
	cSpace   uint8 = 1 << iota // whitespace
	cDigit                     // 0-9
	cStart                     // may start an identifier: letter, _, 0x80-0xFF
	cPart                      // may continue an identifier: start, digit, $
	cTag                       // may continue a dollar-quote tag: start, digit
	cDecimal                   // digit, '.', '_'
	cHex                       // digit, '_', a-f, A-F
)

var classes = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		b := byte(c)
		var k uint8
		switch b {
		case ' ', '\t', '\n', '\r', '\f', '\v':
			k |= cSpace
		}
		digit := b >= '0' && b <= '9'
		start := b == '_' || (b|0x20 >= 'a' && b|0x20 <= 'z') || b >= 0x80
		if digit {
			k |= cDigit | cDecimal | cHex
		}
		if start {
			k |= cStart | cPart | cTag
		}
		if digit || b == '$' {
			k |= cPart
		}
		if digit {
			k |= cTag
		}
		if b == '.' || b == '_' {
			k |= cDecimal
		}
		if b == '_' || (b|0x20 >= 'a' && b|0x20 <= 'f') {
			k |= cHex
		}
		t[c] = k
	}
	return t
}()

// IsIdentStart reports whether c may start an unquoted identifier or
// keyword: a letter, _ or a byte of a multi-byte character.
func IsIdentStart(c byte) bool { return classes[c]&cStart != 0 }

// IsIdentPart reports whether c may continue an unquoted identifier: what
// may start one, a digit, or $.
func IsIdentPart(c byte) bool { return classes[c]&cPart != 0 }

func isDigit(c byte) bool { return classes[c]&cDigit != 0 }

// skip returns the first offset from i whose byte is not of class k.
func skip(src string, i int, k uint8) int {
	for i < len(src) && classes[src[i]]&k != 0 {
		i++
	}
	return i
}
