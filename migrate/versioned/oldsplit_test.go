package versioned

// The lexer of split.go as it was before migrate used internal/sqllex,
// with splitScript on top (the splitter itself is shared), kept as the
// reference of FuzzSplitOldVsNew until the next release drops it. It is
// test code: do not fix it.

import (
	"fmt"
	"strings"
	"testing"

	"github.com/normkit/norm/internal/sqllex"
)

// oldLexer turns SQL text into tokens following PostgreSQL's lexical
// rules for strings, identifiers, comments and dollar quoting. It yields
// one token at a time (see scan) and keeps none.
type oldLexer struct {
	src string
	pos int
	// backslashes is set while standard_conforming_strings is off: a
	// backslash in a plain '…' (or N'…') string then escapes the next
	// byte, as in E'…'. B'…', X'…' and U&'…' never take them.
	backslashes bool
}

// scan returns the next token; ok is false at the end of the input. It
// fails on an unterminated string, quoted identifier, dollar-quoted body
// or block comment, naming the line where the construct starts.
func (lx *oldLexer) scan() (tk token, ok bool, err error) {
	if lx.pos >= len(lx.src) {
		return token{}, false, nil
	}
	start := lx.pos
	kind, err := lx.next()
	if err != nil {
		return token{}, false, fmt.Errorf("%w at line %d", err, lineAt(lx.src, start))
	}
	return token{kind: kind, start: start, end: lx.pos, text: lx.src[start:lx.pos]}, true, nil
}

func (lx *oldLexer) peek(off int) byte {
	if lx.pos+off < len(lx.src) {
		return lx.src[lx.pos+off]
	}
	return 0
}

// next consumes one token starting at lx.pos and reports its kind.
func (lx *oldLexer) next() (tokKind, error) {
	c := lx.src[lx.pos]
	switch {
	case oldIsSpace(c):
		for lx.pos < len(lx.src) && oldIsSpace(lx.src[lx.pos]) {
			lx.pos++
		}
		return tokSpace, nil
	case c == '-' && lx.peek(1) == '-':
		return lx.lineComment(), nil
	case c == '/' && lx.peek(1) == '*':
		return tokComment, lx.blockComment()
	case c == '\'':
		return tokString, lx.quoted('\'', lx.backslashes, "string literal")
	case c == '"':
		return tokQuoted, lx.quoted('"', false, "quoted identifier")
	case (c == 'e' || c == 'E') && lx.peek(1) == '\'':
		lx.pos++
		return tokString, lx.quoted('\'', true, "E'' string literal")
	case (c == 'b' || c == 'B' || c == 'x' || c == 'X') && lx.peek(1) == '\'':
		lx.pos++
		return tokString, lx.quoted('\'', false, "string literal")
	case (c == 'u' || c == 'U') && lx.peek(1) == '&' && lx.peek(2) == '\'':
		lx.pos += 2
		return tokString, lx.quoted('\'', false, "string literal")
	case c == '$':
		if tag, ok := lx.dollarTag(); ok {
			return tokString, lx.dollarBody(tag)
		}
		return lx.word(), nil
	case oldIsIdentChar(c):
		return lx.word(), nil
	}
	lx.pos++
	return tokPunct, nil
}

func (lx *oldLexer) lineComment() tokKind {
	for lx.pos < len(lx.src) && lx.src[lx.pos] != '\n' {
		lx.pos++
	}
	return tokComment
}

// blockComment consumes a /* */ comment; PostgreSQL nests them.
func (lx *oldLexer) blockComment() error {
	depth := 0
	for lx.pos < len(lx.src) {
		switch {
		case lx.src[lx.pos] == '/' && lx.peek(1) == '*':
			depth++
			lx.pos += 2
		case lx.src[lx.pos] == '*' && lx.peek(1) == '/':
			depth--
			lx.pos += 2
			if depth == 0 {
				return nil
			}
		default:
			lx.pos++
		}
	}
	return fmt.Errorf("unterminated block comment")
}

// quoted consumes a quoted run whose quote is escaped by doubling it;
// with backslashes set (E-prefixed strings) a backslash escapes the
// next byte.
func (lx *oldLexer) quoted(q byte, backslashes bool, what string) error {
	lx.pos++ // opening quote
	for lx.pos < len(lx.src) {
		c := lx.src[lx.pos]
		switch {
		case backslashes && c == '\\':
			lx.pos += 2
		case c == q && lx.peek(1) == q:
			lx.pos += 2
		case c == q:
			lx.pos++
			return nil
		default:
			lx.pos++
		}
	}
	lx.pos = len(lx.src)
	return fmt.Errorf("unterminated %s", what)
}

// dollarTag reports whether a dollar-quote opener ($$ or $tag$) starts at
// lx.pos. A $ inside an identifier (foo$bar) or before a digit ($1) is not
// one.
func (lx *oldLexer) dollarTag() (string, bool) {
	if lx.pos > 0 && oldIsIdentChar(lx.src[lx.pos-1]) {
		return "", false
	}
	i := lx.pos + 1
	if i < len(lx.src) && lx.src[i] >= '0' && lx.src[i] <= '9' {
		return "", false
	}
	for i < len(lx.src) && oldIsIdentChar(lx.src[i]) && lx.src[i] != '$' {
		i++
	}
	if i < len(lx.src) && lx.src[i] == '$' {
		return lx.src[lx.pos : i+1], true
	}
	return "", false
}

func (lx *oldLexer) dollarBody(tag string) error {
	lx.pos += len(tag)
	idx := strings.Index(lx.src[lx.pos:], tag)
	if idx < 0 {
		lx.pos = len(lx.src)
		return fmt.Errorf("unterminated dollar-quoted body %s", tag)
	}
	lx.pos += idx + len(tag)
	return nil
}

func (lx *oldLexer) word() tokKind {
	lx.pos++
	for lx.pos < len(lx.src) && oldIsIdentChar(lx.src[lx.pos]) {
		lx.pos++
	}
	return tokWord
}

func oldIsSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// oldIsIdentChar reports bytes that may continue an identifier, keyword
// or number; bytes of multi-byte UTF-8 characters count as letters.
func oldIsIdentChar(c byte) bool {
	return c == '_' || c == '$' || c >= 0x80 ||
		(c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

func oldSplitScript(src string) ([]statement, error) {
	var (
		out   []statement
		sp    splitter
		lx    = oldLexer{src: src}
		lines = lineCounter{src: src, line: 1}
	)
	for {
		tk, ok, err := lx.scan()
		if err != nil {
			return nil, err
		}
		if !ok {
			return sp.oldFlush(src, out, &lines, &lx), nil
		}
		sp.add(tk)
		if tk.kind == tokPunct && tk.text == ";" && sp.depth == 0 && sp.parens == 0 {
			out = sp.oldFlush(src, out, &lines, &lx)
		}
	}
}

func (sp *splitter) oldFlush(src string, out []statement, lines *lineCounter, lx *oldLexer) []statement {
	if sp.hasCode {
		st := statement{
			SQL:         src[sp.start:sp.end],
			Start:       sp.start,
			End:         sp.end,
			Code:        src[sp.codeStart:sp.end],
			Line:        lines.at(sp.codeStart),
			backslashes: lx.backslashes,
		}
		out = append(out, st)
		if sp.nwords > 0 && maySetStrings(sp.words[0]) {
			if on, ok := conformingStrings(st.oldCode()); ok {
				lx.backslashes = !on
			}
		}
	}
	*sp = splitter{}
	return out
}

func (st statement) oldCode() []token {
	lx := oldLexer{src: st.Code, backslashes: st.backslashes}
	var out []token
	for {
		tk, ok, err := lx.scan()
		if err != nil || !ok {
			return out
		}
		if tk.kind != tokSpace && tk.kind != tokComment {
			out = append(out, tk)
		}
	}
}

// FuzzSplitOldVsNew: splitScript on internal/sqllex splits a file into
// the same statements (text, offsets, lines, standard_conforming_strings)
// and fails the same way as on migrate's own old lexer, except where that
// lexer misread PostgreSQL (psql reads files with the server's rules).
// Texts with one of these are left out (splitDivergence says which):
//
//   - A -- comment ends at a carriage return as well as at a newline: a
//     ; after "-- note\r" ends a statement.
//   - A token right after a number, a $n parameter, a dollar-quoted
//     string or a lone $ starts afresh: the old lexer took the digit or $
//     before it for part of an identifier, so 1$$;$$ was a word and a
//     split, $$x$$$$;$$ one string and then a word, 1e'…' a word and a
//     plain string.
//   - A lone $ is punctuation: the old lexer read $begin as one word, so
//     it did not count it as the BEGIN of a routine body.
//   - N'…' and U&"…" are one token: the old lexer read the prefix as a
//     word, one of the first four words that tell a CREATE FUNCTION.
func FuzzSplitOldVsNew(f *testing.F) {
	for _, s := range []string{
		"SELECT 1; SELECT 2", "SELECT 'a;''b'; SELECT E'\\';'", "CREATE FUNCTION f() BEGIN ATOMIC SELECT 1; END; SELECT 2;",
		"DO $t$ ; $t$; /* /* ; */ */ -- ;\n SELECT \"x;\"", "$1; a$b; $$",
		"SET standard_conforming_strings = off; SELECT 'a\\'; b'; RESET ALL; SELECT 'c\\';",
		"set local standard_conforming_strings to 'of'; select N'\\'', B'\\', u&'\\'; -- norm:x\n",
		"CREATE RULE r AS ON INSERT TO t DO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2));",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if why := splitDivergence(src); why != "" {
			t.Skip(why)
		}
		got, err := splitScript(src)
		want, oerr := oldSplitScript(src)
		if fmt.Sprint(err) != fmt.Sprint(oerr) || fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
			t.Fatalf("splitScript(%q)\n new %+v %v\n old %+v %v", src, got, err, want, oerr)
		}
	})
}

// splitDivergence names the documented difference (see
// FuzzSplitOldVsNew) that src holds, or returns "".
func splitDivergence(src string) string {
	if strings.Contains(src, "--") && strings.Contains(src, "\r") {
		return "carriage return after --"
	}
	lx := sqllex.New(src)
	var prev sqllex.Token
	for {
		tok, ok := lx.Next()
		if !ok {
			return ""
		}
		text := src[tok.Start:tok.End]
		switch {
		case prev.End == tok.Start && (prev.Kind == sqllex.Number || prev.Kind == sqllex.Param || prev.Kind == sqllex.DollarString ||
			prev.Kind == sqllex.Punct && src[prev.Start] == '$') && tok.Kind != sqllex.Space && tok.Kind != sqllex.Comment:
			return "token glued to a number, a parameter or a $"
		case (tok.Kind == sqllex.String || tok.Kind == sqllex.QuotedIdent) && (text[0]|0x20 == 'n' || text[0]|0x20 == 'u'):
			return "N'' string or U&\"\" identifier"
		}
		prev = tok
	}
}

func BenchmarkSplitOldVsNew(b *testing.B) {
	src := strings.Repeat("CREATE TABLE t (id bigint PRIMARY KEY, name text NOT NULL DEFAULT 'x;y'); -- c\n"+
		"CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n", 50)
	for _, impl := range []struct {
		name string
		fn   func(string) ([]statement, error)
	}{{"old", oldSplitScript}, {"new", splitScript}} {
		b.Run(impl.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := impl.fn(src); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
