package pool

import (
	"strings"
	"testing"

	"github.com/normkit/norm/internal/sqllex"
)

// classifySQL and stmtScan.feed as they were before pool used
// internal/sqllex, on the old scanner (oldscan_test.go): the reference of
// FuzzClassifyOldVsNew.

func oldClassifySQL(sql string) class {
	s := oldScanner{src: sql}
	st := stmtScan{}
	out := classRead
	seen := false
	for {
		tok, ok := s.next()
		if !ok || tok.kind == oldTokSemicolon {
			if st.words > 0 {
				out = merge(out, st.result())
				seen = true
			}
			if !ok {
				break
			}
			st = stmtScan{}
			continue
		}
		st.oldFeed(tok)
	}
	if !seen {
		return 0
	}
	return out
}

func (st *stmtScan) oldFeed(t oldToken) {
	switch t.kind {
	case oldTokOpen:
		st.depth++
		st.push("(")
		return
	case oldTokClose:
		if st.cfgDepth > 0 && st.depth == st.cfgDepth {
			if st.cfgLast != "true" && st.session == 0 {
				st.session = classSessionConfig
			}
			st.cfgDepth = 0
		}
		st.depth--
		st.push(")")
		return
	case oldTokComma:
		if st.cfgDepth > 0 && st.depth == st.cfgDepth {
			st.cfgLast = ""
		}
		st.push(",")
		return
	case oldTokOther:
		if st.cfgDepth > 0 && st.depth == st.cfgDepth {
			st.cfgLast = "?"
		}
		st.push("")
		return
	}
	w := t.word
	if st.cfgDepth > 0 && st.depth == st.cfgDepth {
		if st.cfgLast == "" && t.kind == oldTokWord {
			st.cfgLast = w
		} else {
			st.cfgLast = "?"
		}
	}
	if t.kind == oldTokWord {
		st.word(w)
	}
	st.push(w)
}

// FuzzClassifyOldVsNew: classifySQL on internal/sqllex classifies as it
// did on pool's own scanner, except where the old scanner misread
// PostgreSQL. Texts with one of these are left out of the comparison
// (divergence says which):
//
//   - A -- comment ends at a carriage return as well as at a newline
//     (scan.l). The old scanner hid the code after a lone \r, so
//     "SELECT 1 --\rDELETE FROM t" was a read.
//   - A vertical tab is whitespace (PostgreSQL 16's scanner; older
//     servers reject it). The old scanner took it for a token, so "INTO\vTEMP"
//     was not a temp-table statement.
//   - B'…', X'…', N'…', U&'…' and U&"…" are one token; the old scanner
//     read the prefix as a word.
//   - A number is one token: the old scanner read the letters of 1e5,
//     0x1F or 1_000 as a word.
//   - A $ that starts neither a parameter nor a dollar quote is one byte;
//     the old scanner swallowed the identifier after it ($abc).
//
// The last three differ only in how many words a statement has, and only
// in text PostgreSQL rejects as a syntax error: a statement of nothing but
// such tokens counted as a statement before and is skipped now, as one of
// nothing but literals always was.
func FuzzClassifyOldVsNew(f *testing.F) {
	for _, s := range []string{
		"SELECT 1", "SET x = 1", "select $a$ ' $a$", "E'\\'", "/* /* */", `"a""b"`, "WITH d AS (DELETE FROM t) SELECT 1",
		"SELECT set_config('a', 'b', true)", "SELECT * INTO TEMP t FROM x", "select 1; listen x", "SELECT nextval('s')",
		"SELECT a$b FROM t FOR UPDATE", "CREATE LOCAL TEMP TABLE t()",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		if why := divergence(sql); why != "" {
			t.Skip(why)
		}
		if got, want := classifySQL(sql), oldClassifySQL(sql); got != want {
			t.Errorf("classifySQL(%q) = %b, old %b", sql, got, want)
		}
	})
}

// divergence names the documented difference (see FuzzClassifyOldVsNew)
// that sql holds, or returns "".
func divergence(sql string) string {
	if strings.Contains(sql, "--") && strings.Contains(sql, "\r") {
		return "carriage return after --"
	}
	if strings.Contains(sql, "\v") {
		return "vertical tab"
	}
	lx := sqllex.New(sql)
	for {
		tok, ok := lx.Next()
		if !ok {
			return ""
		}
		text := sql[tok.Start:tok.End]
		switch {
		case (tok.Kind == sqllex.String || tok.Kind == sqllex.QuotedIdent) && text[0] != '\'' && text[0] != '"':
			return "prefixed literal"
		case tok.Kind == sqllex.Number && strings.ContainsFunc(text, func(r rune) bool { return r > '9' }):
			return "number with letters"
		case tok.Kind == sqllex.Punct && text == "$" && tok.End < len(sql) && sqllex.IsIdentStart(sql[tok.End]):
			return "$ before a word"
		}
	}
}

func BenchmarkClassifyOldVsNew(b *testing.B) {
	const q = "SELECT id, email, created_at FROM users /* list */ WHERE id = $1 AND name <> 'x' AND deleted_at IS NULL"
	for _, impl := range []struct {
		name string
		fn   func(string) class
	}{{"old", oldClassifySQL}, {"new", classifySQL}} {
		b.Run(impl.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = impl.fn(q)
			}
		})
	}
}
