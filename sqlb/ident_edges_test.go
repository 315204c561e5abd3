package sqlb

import (
	"errors"
	"strings"
	"testing"
)

// TestQuoteIdentEdges checks QuoteIdent where an off-by-one would slip:
// a NUL or a double quote as the first byte, a quote as the last, and the
// 63-byte limit.
func TestQuoteIdentEdges(t *testing.T) {
	t.Parallel()
	good := []struct{ in, want string }{
		{`"a`, `"""a"`},
		{`a"`, `"a"""`},
		{`"`, `""""`},
		{strings.Repeat("x", 63), `"` + strings.Repeat("x", 63) + `"`},
	}
	for _, tt := range good {
		if got, err := QuoteIdent(tt.in); err != nil || got != tt.want {
			t.Errorf("QuoteIdent(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"\x00", "\x00a", "a\x00", strings.Repeat("x", 64), ""} {
		if got, err := QuoteIdent(bad); !errors.Is(err, ErrInvalidIdentifier) || got != "" {
			t.Errorf("QuoteIdent(%q) = %q, %v; want ErrInvalidIdentifier", bad, got, err)
		}
	}
}
