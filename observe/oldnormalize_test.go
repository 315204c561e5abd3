package observe

import (
	"strings"
	"testing"
)

// Normalize and Operation as they were before observe used
// internal/sqllex, on the old lexer (oldlexer_test.go): the reference of
// FuzzNormalizeOldVsNew.

func oldNormalize(sql string) string {
	if strings.IndexByte(sql, '\\') >= 0 {
		return oldNormalizeEitherWay(sql)
	}
	var b strings.Builder
	b.Grow(len(sql))
	lx := oldLexer{src: sql}
	space := false
	for {
		tok, ok := lx.next()
		if !ok {
			break
		}
		switch tok.kind {
		case oldTokSpace, oldTokComment:
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		switch tok.kind {
		case oldTokString, oldTokNumber:
			b.WriteByte('?')
		default:
			b.WriteString(sql[tok.start:tok.end])
		}
	}
	return b.String()
}

// normalizeEitherWay is Normalize for text holding a backslash: it lexes
// sql with standard_conforming_strings on and off, classes each byte by
// the stronger of its two readings, and writes one "?" per run of
// literal bytes, one space per run of blank ones and code as written.
func oldNormalizeEitherWay(sql string) string {
	class := make([]byteClass, len(sql))
	for _, off := range [...]bool{false, true} {
		lx := oldLexer{src: sql, backslashes: off}
		for {
			tok, ok := lx.next()
			if !ok {
				break
			}
			var c byteClass
			switch tok.kind {
			case oldTokString, oldTokNumber:
				c = byteLiteral
			case oldTokSpace, oldTokComment:
				c = byteBlank
			default:
				continue
			}
			for i := tok.start; i < tok.end; i++ {
				class[i] = max(class[i], c)
			}
		}
	}
	var b strings.Builder
	b.Grow(len(sql))
	space := false
	for i := 0; i < len(sql); {
		j := i + 1
		for j < len(sql) && class[j] == class[i] {
			j++
		}
		if class[i] == byteBlank {
			space = b.Len() > 0
			i = j
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		if class[i] == byteLiteral {
			b.WriteByte('?')
		} else {
			b.WriteString(sql[i:j])
		}
		i = j
	}
	return b.String()
}

// Operation names the kind of statement sql is, for bounded metric labels:
// "select", "insert", "update", "delete" or "other". A statement starting
// with WITH is classified by the first of those keywords outside
// parentheses, so "WITH x AS (SELECT ...) DELETE ..." is a delete.
func oldOperation(sql string) string {
	lx := oldLexer{src: sql}
	depth := 0
	first := true
	for {
		tok, ok := lx.next()
		if !ok {
			return OpOther
		}
		switch tok.kind {
		case oldTokSpace, oldTokComment:
			continue
		case oldTokPunct:
			switch sql[tok.start] {
			case '(':
				depth++
			case ')':
				depth--
			}
			first = false
			continue
		case oldTokWord:
		default:
			first = false
			continue
		}
		word := sql[tok.start:tok.end]
		if op := verb(word); op != "" && depth == 0 {
			return op
		}
		if first && !strings.EqualFold(word, "with") {
			return OpOther
		}
		first = false
	}
}

// FuzzNormalizeOldVsNew: Normalize and Operation on internal/sqllex say
// what they said on observe's own lexer, except where the old lexer was
// wrong about PostgreSQL:
//
//   - A -- comment ends at a carriage return as well as at a newline
//     (scan.l: non_newline is [^\n\r]). The old lexer ran it to the next
//     newline, so it dropped code that the server runs after a lone \r,
//     and left literals there unmasked or hidden. Texts holding both --
//     and \r are left out of the comparison.
func FuzzNormalizeOldVsNew(f *testing.F) {
	for _, s := range []string{
		"SELECT 'a', 1, $1 FROM t -- c", `E'\'' $a$ x $a$ "q""q" /* /* */ */`, "WITH x AS (DELETE FROM t) SELECT 1",
		`'a\' OR 1=1 --'`, "u&'x' b'1' x'2' n'3' 0x1F 1e5 .5", "a$b$c $$ $ $1$", "select 1; delete",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		if strings.Contains(sql, "--") && strings.Contains(sql, "\r") {
			t.Skip("a carriage return ends a -- comment now (see above)")
		}
		if got, want := Normalize(sql), oldNormalize(sql); got != want {
			t.Errorf("Normalize(%q)\n new %q\n old %q", sql, got, want)
		}
		if got, want := Operation(sql), oldOperation(sql); got != want {
			t.Errorf("Operation(%q) new %q, old %q", sql, got, want)
		}
	})
}

func BenchmarkNormalizeOldVsNew(b *testing.B) {
	const q = "SELECT id, email FROM users /* list */ WHERE id = 42 AND name <> 'x' AND tag = $1 AND amount > 3.5 -- c\n"
	for _, impl := range []struct {
		name string
		fn   func(string) string
	}{{"old", oldNormalize}, {"new", Normalize}} {
		b.Run(impl.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = impl.fn(q)
			}
		})
	}
}
