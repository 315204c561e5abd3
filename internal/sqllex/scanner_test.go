package sqllex

import (
	"strings"
	"testing"
)

// render writes each token as kind:text, "!" marking an unterminated one.
func render(src string, backslashes bool) string {
	s := New(src)
	s.Backslashes = backslashes
	var b strings.Builder
	for {
		tok, ok := s.Next()
		if !ok {
			return b.String()
		}
		if tok.Kind == Space {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(short[tok.Kind])
		if tok.Unterminated {
			b.WriteByte('!')
		}
		b.WriteString(":" + src[tok.Start:tok.End])
	}
}

var short = map[Kind]string{
	Comment: "C", String: "S", DollarString: "D", QuotedIdent: "Q", Param: "P",
	Word: "W", Number: "N", Cast: "X", Semicolon: ";", Punct: "p",
}

func TestScanner(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, src   string
		backslashes bool
		want        string
	}{
		{"string with doubled quote", `'it''s' x`, false, `S:'it''s' W:x`},
		{"backslash is plain with standard strings", `'a\' y'`, false, `S:'a\' W:y S!:'`},
		{"backslash escapes when off", `'a\' x'`, true, `S:'a\' x'`},
		{"E string escapes", `E'a\'b' c`, false, `S:E'a\'b' W:c`},
		{"e prefix only as a whole word", `ae'x'`, false, `W:ae S:'x'`},
		{"N B X U& prefixes", `N'a' b'1' X'f' U&'d' u&"i"`, false, `S:N'a' S:b'1' S:X'f' S:U&'d' Q:u&"i"`},
		{"N takes backslashes when off", `N'\'' x`, true, `S:N'\'' W:x`},
		{"B never takes backslashes", `B'\' x`, true, `S:B'\' W:x`},
		{"quoted identifier", `"a""b" c`, false, `Q:"a""b" W:c`},
		{"dollar quote", `$$ a ' b $$ c`, false, `D:$$ a ' b $$ W:c`},
		{"tagged dollar quote", `$f$ $$ $g$ $f$;`, false, `D:$f$ $$ $g$ $f$ ;:;`},
		{"dollar inside identifier", `a$b$ a$$ x`, false, `W:a$b$ W:a$$ W:x`},
		{"parameter", `$1+$23`, false, `P:$1 p:+ P:$23`},
		{"parameter inside identifier", `a$1`, false, `W:a$1`},
		{"dollar after number", `1$$x$$`, false, `N:1 D:$$x$$`},
		{"lone dollar", `$ $a x`, false, `p:$ p:$ W:a W:x`},
		{"unterminated dollar quote", `$t$ x`, false, `D!:$t$ x`},
		{"line comment ends at newline", "a -- x\nb", false, "W:a C:-- x W:b"},
		{"line comment ends at carriage return", "a -- x\rb", false, "W:a C:-- x W:b"},
		{"nested block comment", `/* /* */ x */ y`, false, `C:/* /* */ x */ W:y`},
		{"unterminated block comment", `/* /* */ x`, false, `C!:/* /* */ x`},
		{"cast and colon", `a::int :n`, false, `W:a X::: W:int p:: W:n`},
		{"numbers", `42 3.14 .5 1e10 1e 0x1F 1_000`, false, `N:42 N:3.14 N:.5 N:1e10 N:1 W:e N:0x1F N:1_000`},
		{"unterminated string", `'abc`, false, `S!:'abc`},
		{"unterminated identifier", `"abc`, false, `Q!:"abc`},
		{"backslash at end of E string", `E'\`, false, `S!:E'\`},
		{"multibyte identifier", `été$x`, false, `W:été$x`},
		{"& after a letter other than u", `a&'x' b&"y"`, false, `W:a p:& S:'x' W:b p:& Q:"y"`},
		{"u without &", `u."y" u.'z'`, false, `W:u p:. Q:"y" W:u p:. S:'z'`},
		{"signed exponents", `1.5e-3 2E+4 3e+x`, false, `N:1.5e-3 N:2E+4 N:3 W:e p:+ W:x`},
		{"lone minus and slash", `a - b / c * -1`, false, `W:a p:- W:b p:/ W:c p:* p:- N:1`},
		{"empty line comment", "--\nx", false, "C:-- W:x"},
		{"empty dollar-quoted string", `$$$$ x $a$$a$`, false, `D:$$$$ W:x D:$a$$a$`},
		{"unterminated block comment ending in a star", `/* a *`, false, `C!:/* a *`},
		{"unterminated block comment ending in a slash", `/* a /`, false, `C!:/* a /`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := render(tc.src, tc.backslashes); got != tc.want {
				t.Errorf("tokens of %q:\n got %s\nwant %s", tc.src, got, tc.want)
			}
		})
	}
}

func TestDollarTag(t *testing.T) {
	t.Parallel()
	for src, want := range map[string]string{"$$x$$": "$$", "$ab$x$ab$": "$ab$", "x": "", "$": "", "": ""} {
		if got := DollarTag(src); got != want {
			t.Errorf("DollarTag(%q) = %q, want %q", src, got, want)
		}
	}
}

func TestKindString(t *testing.T) {
	t.Parallel()
	if got := DollarString.String(); got != "dollar-quoted string" {
		t.Errorf("DollarString.String() = %q", got)
	}
	for _, k := range []Kind{0, Punct + 1, 255} {
		if got := k.String(); got != "invalid kind" {
			t.Errorf("Kind(%d).String() = %q, want invalid kind", k, got)
		}
	}
}

func TestScanAllocatesNothing(t *testing.T) {
	src := `SELECT "a", E'x\'y', $f$ body $f$ FROM t -- c
	WHERE b = $1 AND c::int = 42 /* d */;`
	allocs := testing.AllocsPerRun(100, func() {
		s := New(src)
		for {
			if _, ok := s.Next(); !ok {
				break
			}
		}
	})
	if allocs != 0 {
		t.Errorf("scanning allocates %v times, want 0", allocs)
	}
}

// TestKindClasses: Literal is true for the three literal kinds only and
// Blank for space and comments only.
func TestKindClasses(t *testing.T) {
	t.Parallel()
	for k := Space; k <= Punct; k++ {
		wantLiteral := k == String || k == DollarString || k == Number
		wantBlank := k == Space || k == Comment
		if k.Literal() != wantLiteral || k.Blank() != wantBlank {
			t.Errorf("%v: Literal() = %v, Blank() = %v; want %v, %v", k, k.Literal(), k.Blank(), wantLiteral, wantBlank)
		}
	}
}
