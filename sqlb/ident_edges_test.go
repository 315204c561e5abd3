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

// TestQuoteQualifiedEdges checks the fast path of quoteQualified (a name
// without dots or quotes) against the full parser where a slip would
// show: a lone quote, runs of dots (the output buffer is sized from the
// dot count), a star that only a select list may leave unquoted and only
// as the last part.
func TestQuoteQualifiedEdges(t *testing.T) {
	t.Parallel()
	good := []struct{ in, want string }{
		{"*", `"*"`},
		{"t.*", `"t"."*"`},
		{`t."*"`, `"t"."*"`},
		{`"a""b".c`, `"a""b"."c"`},
		{"a.b.c.d.e.f", `"a"."b"."c"."d"."e"."f"`},
	}
	for _, tt := range good {
		if got, err := QuoteQualified(tt.in); err != nil || got != tt.want {
			t.Errorf("QuoteQualified(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{`"`, "a" + strings.Repeat(".", 10) + "b", strings.Repeat(".", 12), "a.b" + strings.Repeat(".", 20)} {
		if got, err := QuoteQualified(bad); !errors.Is(err, ErrInvalidIdentifier) || got != "" {
			t.Errorf("QuoteQualified(%q) = %q, %v; want ErrInvalidIdentifier", bad, got, err)
		}
	}
}

// TestSelectStarOnlyLast: in a select list * stays unquoted as the whole
// name or its last part; a quoted "*" is a column named *, and a star
// before another part is refused.
func TestSelectStarOnlyLast(t *testing.T) {
	t.Parallel()
	good := []struct{ col, want string }{
		{"*", `SELECT * FROM "t"`},
		{"t.*", `SELECT "t".* FROM "t"`},
		{`t."*"`, `SELECT "t"."*" FROM "t"`},
	}
	for _, tt := range good {
		if s, _, err := Select(tt.col).From("t").ToSQL(); err != nil || s != tt.want {
			t.Errorf("Select(%q) = %q, %v; want %q", tt.col, s, err, tt.want)
		}
	}
	for _, bad := range []string{"*.a", "s.*.a", "*.*"} {
		_, _, err := Select(bad).From("t").ToSQL()
		if !errors.Is(err, ErrInvalidIdentifier) || !strings.Contains(err.Error(), "* must be the last part") {
			t.Errorf("Select(%q) = %v, want ErrInvalidIdentifier: * must be the last part", bad, err)
		}
	}
}

// TestErrorMessagesQuoteNamesUpTo64Bytes: an identifier in an error
// message is shown whole up to 64 bytes and cut with … past that.
func TestErrorMessagesQuoteNamesUpTo64Bytes(t *testing.T) {
	t.Parallel()
	n64 := strings.Repeat("x", 64)
	_, err := QuoteIdent(n64)
	if err == nil || !strings.Contains(err.Error(), `QuoteIdent("`+n64+`")`) {
		t.Errorf("QuoteIdent(64 bytes) error = %v, want the whole name", err)
	}
	_, err = QuoteIdent(n64 + "y")
	if err == nil || !strings.Contains(err.Error(), `QuoteIdent("`+n64+`…")`) {
		t.Errorf("QuoteIdent(65 bytes) error = %v, want the first 64 bytes and …", err)
	}
}
