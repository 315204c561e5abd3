package sqlb

import (
	"errors"
	"reflect"
	"testing"
)

func TestRawPlaceholders(t *testing.T) {
	cases := []struct {
		in, want string
		n        int
		err      error
	}{
		{in: "a = ?", want: "a = $1", n: 1},
		{in: "a = ? AND b = ?", want: "a = $1 AND b = $2", n: 2},
		{in: "s = '?' AND x = ?", want: "s = '?' AND x = $1", n: 1},
		{in: "s = 'it''s ?' AND x = ?", want: "s = 'it''s ?' AND x = $1", n: 1},
		{in: `s = E'it\'s ?' AND x = ?`, want: `s = E'it\'s ?' AND x = $1`, n: 1},
		{in: `s = e'\\' AND x = ?`, want: `s = e'\\' AND x = $1`, n: 1},
		{in: `s = 'a\' AND x = ?`, want: `s = 'a\' AND x = $1`, n: 1}, // standard strings: \ is plain
		{in: `"col?" = ?`, want: `"col?" = $1`, n: 1},
		{in: `"a""?" = ?`, want: `"a""?" = $1`, n: 1},
		{in: "$$ ? $$ || ?", want: "$$ ? $$ || $1", n: 1},
		{in: "$fn$ a ? $x$ ? $fn$ = ?", want: "$fn$ a ? $x$ ? $fn$ = $1", n: 1},
		{in: "a$b = ?", want: "a$b = $1", n: 1},
		{in: "-- ?\nx = ?", want: "-- ?\nx = $1", n: 1},
		{in: "x = ? -- ?", want: "x = $1 -- ?", n: 1},
		{in: "x = 1 -- note\r AND y = ?", want: "x = 1 -- note\r AND y = $1", n: 1}, // \r ends a -- comment
		{in: "$$x$$$1", err: ErrPlaceholders},                                       // $1 after a dollar quote is a parameter
		{in: "/* ? /* ? */ ? */ x = ?", want: "/* ? /* ? */ ? */ x = $1", n: 1},
		{in: "j ?? 'k' AND j ??| ? AND j ??& ?", want: "j ? 'k' AND j ?| $1 AND j ?& $2", n: 2},
		{in: "x::text = ?", want: "x::text = $1", n: 1},
		{in: "a - ? / ?", want: "a - $1 / $2", n: 2},
		{in: "'unterminated ?", err: ErrPlaceholders},
		{in: `"unterminated`, err: ErrPlaceholders},
		{in: "/* open", err: ErrPlaceholders},
		{in: "$tag$ open", err: ErrPlaceholders},
		{in: "x = $1", err: ErrPlaceholders},
		{in: "x = ?", n: 0, err: ErrPlaceholders},
		{in: "x = 1", n: 1, err: ErrPlaceholders},
	}
	for _, c := range cases {
		args := make([]any, c.n)
		for i := range args {
			args[i] = i
		}
		got, gotArgs, err := Raw(c.in, args...).ToSQL()
		if c.err != nil {
			if !errors.Is(err, c.err) {
				t.Errorf("Raw(%q): err = %v, want %v", c.in, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want || len(gotArgs) != c.n {
			t.Errorf("Raw(%q) = %q %v %v, want %q", c.in, got, gotArgs, err, c.want)
		}
		n, err := CountPlaceholders(c.in)
		if err != nil || n != c.n {
			t.Errorf("CountPlaceholders(%q) = %d %v, want %d", c.in, n, err, c.n)
		}
	}
}

func TestRawQuestionModeKeepsEscapes(t *testing.T) {
	s, args, err := Raw("j ?? ? AND '?'", 1).ToSql()
	if err != nil || s != "j ?? ? AND '?'" || len(args) != 1 {
		t.Fatal(s, args, err)
	}
}

func TestQuoteIdent(t *testing.T) {
	for in, want := range map[string]string{
		"users": `"users"`, "a.b": `"a.b"`, `x"y`: `"x""y"`, "Ünïcode": `"Ünïcode"`, "'; DROP": `"'; DROP"`,
	} {
		got, err := QuoteIdent(in)
		if err != nil || got != want {
			t.Errorf("QuoteIdent(%q) = %q %v, want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "a\x00b", string(make([]byte, 64))} {
		if _, err := QuoteIdent(bad); !errors.Is(err, ErrInvalidIdentifier) {
			t.Errorf("QuoteIdent(%q) err = %v", bad, err)
		}
	}
	for in, want := range map[string]string{
		"users": `"users"`, "public.users": `"public"."users"`, `s."a.b"`: `"s"."a.b"`, `"x""y".z`: `"x""y"."z"`, "db.s.t.c": `"db"."s"."t"."c"`,
	} {
		got, err := QuoteQualified(in)
		if err != nil || got != want {
			t.Errorf("QuoteQualified(%q) = %q %v, want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", ".a", "a.", "a..b", `"a`, `a"b`, `"a"b`, "a.\x00", `""`} {
		if _, err := QuoteQualified(bad); !errors.Is(err, ErrInvalidIdentifier) {
			t.Errorf("QuoteQualified(%q) err = %v", bad, err)
		}
	}
	parts, err := SplitQualified(`public."my.table"`)
	if err != nil || len(parts) != 2 || parts[1] != "my.table" {
		t.Fatal(parts, err)
	}
}

// TestDollarInsideIdentifier: PostgreSQL identifiers may contain $ (a$b,
// x$$), and such a $ never opens a dollar-quoted body. If it did, $b$ or
// $$ inside a name would swallow the text up to the next one, hiding the
// placeholders in between or failing as unterminated.
func TestDollarInsideIdentifier(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in, want string
		n        int
	}{
		{in: "SELECT a$b$, ? FROM t", want: "SELECT a$b$, $1 FROM t", n: 1},
		{in: "a$b$ = ? AND c$b$ = ?", want: "a$b$ = $1 AND c$b$ = $2", n: 2},
		{in: "x$$ = ? AND y$$ = ?", want: "x$$ = $1 AND y$$ = $2", n: 2},
		{in: "t.a$tag$ = ? OR t.b$tag$ = ?", want: "t.a$tag$ = $1 OR t.b$tag$ = $2", n: 2},
		{in: "a$b$, $b$ ? $b$ = ?", want: "a$b$, $b$ ? $b$ = $1", n: 1}, // a real body after the name still hides its ?
	}
	for _, c := range cases {
		n, err := CountPlaceholders(c.in)
		if err != nil || n != c.n {
			t.Errorf("CountPlaceholders(%q) = %d, %v; want %d", c.in, n, err, c.n)
		}
		args := make([]any, c.n)
		for i := range args {
			args[i] = i + 10
		}
		got, gotArgs, err := Raw(c.in, args...).ToSQL()
		if err != nil || got != c.want || !reflect.DeepEqual(gotArgs, args) {
			t.Errorf("Raw(%q).ToSQL() = %q, %v, %v; want %q, %v", c.in, got, gotArgs, err, c.want, args)
		}
	}

	// The named-parameter parser shares the lexer.
	names, rewritten, err := NamedParams("SELECT a$b$ = :p AND c$b$ = :q")
	if err != nil || rewritten != "SELECT a$b$ = ? AND c$b$ = ?" || !reflect.DeepEqual(names, []string{"p", "q"}) {
		t.Errorf("NamedParams = %v, %q, %v; want [p q], %q", names, rewritten, err, "SELECT a$b$ = ? AND c$b$ = ?")
	}
}
