package sqllex

import (
	"strings"
	"testing"
)

// TestCharacterClassesAtEveryByte checks the class table against the
// character sets of PostgreSQL's scanner spelled out letter by letter, so
// the first and last byte of each range ('0', '9', 'a', 'f', 'z', 0x80)
// are checked as well as the bytes just outside it.
func TestCharacterClassesAtEveryByte(t *testing.T) {
	t.Parallel()
	const (
		letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_"
		digits  = "0123456789"
		hex     = "abcdefABCDEF_"
		spaces  = " \t\n\r\f\v"
	)
	has := func(set string, c byte) bool { return strings.IndexByte(set, c) >= 0 }
	for i := 0; i < 256; i++ {
		c := byte(i)
		start := has(letters, c) || c >= 0x80
		digit := has(digits, c)
		want := map[string]bool{
			"space":   has(spaces, c),
			"digit":   digit,
			"start":   start,
			"part":    start || digit || c == '$',
			"tag":     start || digit,
			"decimal": digit || c == '.' || c == '_',
			"hex":     digit || has(hex, c),
		}
		got := map[string]bool{
			"space":   classes[c]&cSpace != 0,
			"digit":   isDigit(c),
			"start":   IsIdentStart(c),
			"part":    IsIdentPart(c),
			"tag":     classes[c]&cTag != 0,
			"decimal": classes[c]&cDecimal != 0,
			"hex":     classes[c]&cHex != 0,
		}
		for class, w := range want {
			if got[class] != w {
				t.Errorf("byte %#02x (%q): %s = %v, want %v", c, c, class, got[class], w)
			}
		}
	}
}
