package sqllex

import (
	"strings"
	"testing"
)

// findByNext is what Find must return: Next with the other tokens dropped.
func findByNext(src, stop string) []Token {
	s := New(src)
	var out []Token
	for {
		tok, ok := s.Next()
		if !ok {
			return out
		}
		switch tok.Kind {
		case String, DollarString, QuotedIdent, Comment, Param:
			out = append(out, tok)
		case Punct:
			if strings.IndexByte(stop, src[tok.Start]) >= 0 {
				out = append(out, tok)
			}
		}
	}
}

func findAll(src, stop string) []Token {
	s := New(src)
	var out []Token
	for {
		tok, ok := s.Find(stop)
		if !ok {
			return out
		}
		out = append(out, tok)
	}
}

func TestFind(t *testing.T) {
	t.Parallel()
	src := `a = ? AND e'?' = :x::int AND u&"?" @ $1 -- ?` + "\n" + `/* ? */ $$?$$ 1e5 $ ;`
	got := findAll(src, "?:@$")
	var b strings.Builder
	for _, tok := range got {
		b.WriteString("[" + src[tok.Start:tok.End] + "]")
	}
	want := `[?][e'?'][:][u&"?"][@][$1][-- ?][/* ? */][$$?$$][$]`
	if b.String() != want {
		t.Errorf("Find tokens\n got %s\nwant %s", b.String(), want)
	}
}

// FuzzFind: Find returns exactly the tokens of Next it is documented to.
func FuzzFind(f *testing.F) {
	for _, s := range []string{"a = ? AND b::c = :d", `e'x' E'\'' u&"y" U&'z' n'w' b'1'`, "$$ $1 $ -- x\n /* */ 1.5e3 .5"} {
		f.Add(s, "?")
		f.Add(s, "?:@")
	}
	f.Fuzz(func(t *testing.T, src, stop string) {
		got, want := findAll(src, stop), findByNext(src, stop)
		if len(got) != len(want) {
			t.Fatalf("Find(%q) in %q: %d tokens %v, Next gives %d %v", stop, src, len(got), got, len(want), want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("Find(%q) in %q: token %d is %+v, Next gives %+v", stop, src, i, got[i], want[i])
			}
		}
	})
}

// TestFindSkipsCodeOutsideTheStopSet: Find returns the same tokens as
// Next for texts whose code holds stop bytes inside other tokens (a '.'
// in a number) or punctuation that starts a comment only when doubled,
// and for plain quoted tokens right after a space.
func TestFindSkipsCodeOutsideTheStopSet(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ src, stop, want string }{
		{"1.5 + .5 - a.b", ".", "[.]"},
		{"x 1.5e3. y", ".", "[.]"},
		{"a - b / c * d ?", "?", "[?]"},
		{"a = 'x?' AND b = \"y?\" ?", "?", `['x?']["y?"][?]`},
		{"a::b; c ?", "?", "[?]"},
	} {
		var b strings.Builder
		for _, tok := range findAll(tc.src, tc.stop) {
			b.WriteString("[" + tc.src[tok.Start:tok.End] + "]")
		}
		if b.String() != tc.want {
			t.Errorf("Find(%q) in %q: got %s, want %s", tc.stop, tc.src, b.String(), tc.want)
		}
		if got, want := findAll(tc.src, tc.stop), findByNext(tc.src, tc.stop); len(got) != len(want) {
			t.Errorf("Find(%q) in %q: %d tokens, Next gives %d", tc.stop, tc.src, len(got), len(want))
		}
	}
}
