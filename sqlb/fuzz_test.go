package sqlb

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/normkit/norm/internal/sqllex"
)

var lexSeeds = []string{
	"a = ?", "s = 'it''s ?' AND x = ?", `E'\'?' ?`, `"a?""b" = ?`, "$$ ? $$ ?", "$t$ ? $t$ ?", "-- ?\n?",
	"/* /* ? */ */ ?", "j ?? 'k' AND j ??| ?", "x::int = ?", "a$b ?", "$1", "'open", "?'", "E'\\\\' ?",
	"u&'\\0041' ?", ":a @b ::c", "arr[1:n] = :n", "@@ <@ @> :x",
}

// countDollar counts $n placeholders in a statement and returns the largest.
func countDollar(t *testing.T, s string) (count, highest int) {
	lx := sqllex.New(s)
	for {
		tok, ok := lx.Next()
		if !ok {
			return count, highest
		}
		if tok.Unterminated {
			t.Fatalf("output %q does not lex: unterminated %s", s, tok.Kind)
		}
		if tok.Kind == sqllex.Param {
			n, _ := strconv.Atoi(s[tok.Start+1 : tok.End])
			count++
			if n > highest {
				highest = n
			}
		}
	}
}

func FuzzRawPlaceholders(f *testing.F) {
	for _, s := range lexSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := CountPlaceholders(s)
		if err != nil {
			if !errors.Is(err, ErrPlaceholders) {
				t.Fatalf("error %v does not wrap ErrPlaceholders", err)
			}
			if _, _, err2 := Raw(s).ToSQL(); err2 == nil && n == 0 {
				t.Fatalf("Raw accepted %q that CountPlaceholders rejects", s)
			}
			return
		}
		args := make([]any, n)
		for i := range args {
			args[i] = i
		}
		out, got, err := Raw(s, args...).ToSQL()
		if err != nil {
			t.Fatalf("Raw(%q) with %d args: %v", s, n, err)
		}
		if len(got) != n {
			t.Fatalf("args %d, want %d", len(got), n)
		}
		if c, hi := countDollar(t, out); c != n || hi != n {
			t.Fatalf("%q -> %q: %d placeholders (max $%d), want %d", s, out, c, hi, n)
		}
		// The ? form round-trips unchanged.
		q, _, err := Raw(s, args...).ToSql()
		if err != nil || q != s {
			t.Fatalf("ToSql(%q) = %q, %v", s, q, err)
		}
		// One argument too many or too few is always an error.
		if _, _, err := Raw(s, append(args, 0)...).ToSQL(); !errors.Is(err, ErrPlaceholders) {
			t.Fatalf("extra argument accepted for %q", s)
		}
	})
}

func FuzzNamedParams(f *testing.F) {
	for _, s := range lexSeeds {
		f.Add(s)
	}
	f.Add("a = :a OR b = :a AND c = @c")
	f.Fuzz(func(t *testing.T, s string) {
		names, rewritten, err := NamedParams(s)
		if err != nil {
			return
		}
		n, err := CountPlaceholders(rewritten)
		if err != nil || n != len(names) {
			t.Fatalf("%q -> %q: %d placeholders for %d names (%v)", s, rewritten, n, len(names), err)
		}
		params := map[string]any{}
		for i, name := range names {
			if name == "" {
				t.Fatalf("empty name in %q", s)
			}
			params[name] = i
		}
		out, args, err := RawNamed(s, params).ToSQL()
		if err != nil {
			t.Fatalf("RawNamed(%q): %v", s, err)
		}
		if len(args) != len(params) {
			t.Fatalf("RawNamed(%q): %d args for %d distinct names", s, len(args), len(params))
		}
		if c, hi := countDollar(t, out); c != len(names) || hi != len(params) {
			t.Fatalf("%q -> %q: %d placeholders (max $%d)", s, out, c, hi)
		}
		if len(names) > 0 {
			delete(params, names[0])
			if _, _, err := RawNamed(s, params).ToSQL(); !errors.Is(err, ErrMissingParam) {
				t.Fatalf("missing %q not reported: %v", names[0], err)
			}
		}
	})
}

func FuzzQuoteIdent(f *testing.F) {
	for _, s := range []string{"users", "a.b", `x"y`, `"q"."r"`, "", "a\x00", "s.t.*", `a."b.c"`, "..", `""`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := QuoteIdent(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidIdentifier) {
				t.Fatal(err)
			}
		} else {
			if len(q) < 2 || q[0] != '"' || q[len(q)-1] != '"' || strings.ReplaceAll(q[1:len(q)-1], `""`, "") != strings.ReplaceAll(s, `"`, "") {
				t.Fatalf("QuoteIdent(%q) = %q", s, q)
			}
			parts, err := SplitQualified(q)
			if err != nil || len(parts) != 1 || parts[0] != s {
				t.Fatalf("SplitQualified(QuoteIdent(%q)) = %q, %v", s, parts, err)
			}
			// A quoted identifier is one lexeme: nothing can escape it.
			lx := sqllex.New(q)
			if tok, _ := lx.Next(); tok.Kind != sqllex.QuotedIdent || tok.Unterminated || tok.End != len(q) {
				t.Fatalf("QuoteIdent(%q) = %q is not one quoted identifier", s, q)
			}
		}
		qq, err := QuoteQualified(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidIdentifier) {
				t.Fatal(err)
			}
			return
		}
		p1, err1 := SplitQualified(s)
		p2, err2 := SplitQualified(qq)
		if err1 != nil || err2 != nil || !reflect.DeepEqual(p1, p2) {
			t.Fatalf("QuoteQualified(%q) = %q does not round-trip: %q vs %q", s, qq, p1, p2)
		}
	})
}

func FuzzParseTag(f *testing.F) {
	for _, s := range []string{"pk", "pk,identity", "type:numeric(10,2),default:'a,b'", "unique:g,index:i,using:gin",
		"fk:s.t(id),on_delete:set null,deferrable", "-", "default:-", "comment:'x''y'", "version", "(", "'", "rel:has_many,fk:x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		opts, err := ParseTag(s)
		if err == nil {
			for _, o := range opts {
				if o.Key == "" || strings.TrimSpace(o.Key) != o.Key {
					t.Fatalf("ParseTag(%q): bad key %q", s, o.Key)
				}
			}
		}
		typ := reflect.StructOf([]reflect.StructField{
			{Name: "ID", Type: reflect.TypeOf(int64(0))},
			{Name: "F", Type: reflect.TypeOf(""), Tag: reflect.StructTag(`norm:` + strconv.Quote(s))},
		})
		m, err := ModelFor(typ)
		if err != nil {
			if !errors.Is(err, ErrModel) || !strings.Contains(err.Error(), ".F") {
				t.Fatalf("model error %v does not name the field or wrap ErrModel", err)
			}
			return
		}
		if strings.TrimSpace(s) != "-" && m.Field("f") == nil && len(m.Relations) == 0 {
			t.Fatalf("tag %q dropped the field", s)
		}
	})
}
