package sqllex

import "testing"

// FuzzScanner checks what every caller relies on, for any text: the
// tokens are non-empty, contiguous and cover the text; only the last
// token may be unterminated; a token of a kind that is one byte or two
// (Cast, Semicolon, Punct) has that length.
func FuzzScanner(f *testing.F) {
	for _, s := range []string{
		"SELECT 1", `E'\'' $a$ $ $a$ "x""y" -- z`, "/* /* */", "a$b$c$ $1 $$", "u&'x' U&\"y\" n'z' b'1'",
		"1e5e 0x1G .5. ::;:", "'", "$", "--\r\n", "\x80$\xff$",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, src string, backslashes bool) {
		s := New(src)
		s.Backslashes = backslashes
		pos := 0
		for {
			tok, ok := s.Next()
			if !ok {
				break
			}
			if tok.Start != pos || tok.End <= tok.Start || tok.End > len(src) {
				t.Fatalf("token %+v after offset %d in %q", tok, pos, src)
			}
			if tok.Unterminated && tok.End != len(src) {
				t.Fatalf("unterminated token %+v ends before the text (%d)", tok, len(src))
			}
			switch n := tok.End - tok.Start; tok.Kind {
			case Cast:
				if n != 2 {
					t.Fatalf("cast token %q", src[tok.Start:tok.End])
				}
			case Semicolon, Punct:
				if n != 1 {
					t.Fatalf("%s token %q", tok.Kind, src[tok.Start:tok.End])
				}
			case DollarString:
				if tag := DollarTag(src[tok.Start:tok.End]); tag == "" {
					t.Fatalf("dollar-quoted token %q has no tag", src[tok.Start:tok.End])
				}
			}
			pos = tok.End
		}
		if pos != len(src) {
			t.Fatalf("tokens end at %d of %d in %q", pos, len(src), src)
		}
	})
}
