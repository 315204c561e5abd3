package versioned

import (
	"fmt"
	"strings"

	"github.com/normkit/norm/internal/sqllex"
)

// tokKind classifies one lexical token of a SQL file.
type tokKind int

const (
	tokSpace   tokKind = iota // whitespace
	tokComment                // -- line comment or /* block comment */
	tokWord                   // keyword, identifier or number
	tokQuoted                 // "double-quoted identifier"
	tokString                 // '...', E'...', $tag$...$tag$
	tokPunct                  // one other character (; ( ) , . …)
)

// token is one token: its kind and its byte range in the source.
type token struct {
	kind       tokKind
	start, end int
	text       string
}

// statement is one statement of a SQL file: its text (from its first
// non-blank token, leading comments included, through its terminating
// semicolon, if any), its byte range in the file, the text from its first
// code token on (for messages) and the line that token is on. It holds no
// tokens: code lexes Code again when a caller needs them, so splitting a
// large file allocates per statement, not per token.
type statement struct {
	SQL        string
	Start, End int
	Code       string
	Line       int
	// backslashes records that standard_conforming_strings was off where
	// the statement stands, so its plain strings take backslash escapes.
	backslashes bool
}

// lexer turns SQL text into tokens with norm's one PostgreSQL lexer
// (internal/sqllex), reduced to the kinds the splitter and the gate need.
// It yields one token at a time (see scan) and keeps none.
type lexer struct {
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
func (lx *lexer) scan() (tk token, ok bool, err error) {
	if lx.pos >= len(lx.src) {
		return token{}, false, nil
	}
	// A scanner from lx.pos, a token boundary, so that backslashes may
	// change between tokens (relexer, a SET statement).
	sc := sqllex.New(lx.src[lx.pos:])
	sc.Backslashes = lx.backslashes
	t, _ := sc.Next()
	start, end := lx.pos+t.Start, lx.pos+t.End
	lx.pos = end
	text := lx.src[start:end]
	if t.Unterminated {
		return token{}, false, fmt.Errorf("unterminated %s at line %d", unterminated(t.Kind, text), lineAt(lx.src, start))
	}
	return token{kind: kinds[t.Kind], start: start, end: end, text: text}, true, nil
}

// kinds maps the lexer's kinds to the splitter's: numbers and $n are
// words, :: and ; punctuation.
var kinds = [...]tokKind{
	sqllex.Space: tokSpace, sqllex.Comment: tokComment,
	sqllex.String: tokString, sqllex.DollarString: tokString,
	sqllex.QuotedIdent: tokQuoted, sqllex.Param: tokWord,
	sqllex.Word: tokWord, sqllex.Number: tokWord,
	sqllex.Cast: tokPunct, sqllex.Semicolon: tokPunct, sqllex.Punct: tokPunct,
}

// unterminated names an unterminated construct for an error message.
func unterminated(k sqllex.Kind, text string) string {
	switch k {
	case sqllex.String:
		if text[0] == 'e' || text[0] == 'E' {
			return "E'' string literal"
		}
		return "string literal"
	case sqllex.QuotedIdent:
		return "quoted identifier"
	case sqllex.DollarString:
		return "dollar-quoted body " + sqllex.DollarTag(text)
	}
	return "block comment"
}

// lex tokenizes all of src (for short texts: one statement, a DO
// body); see lexer.scan for the errors.
func lex(src string) ([]token, error) {
	lx := lexer{src: src}
	var toks []token
	for {
		tk, ok, err := lx.scan()
		if err != nil {
			return nil, err
		}
		if !ok {
			return toks, nil
		}
		toks = append(toks, tk)
	}
}

func lineAt(src string, off int) int {
	return strings.Count(src[:off], "\n") + 1
}

// splitScript splits a SQL file into statements at top-level semicolons,
// where psql would: semicolons inside strings, quoted identifiers,
// comments, dollar-quoted bodies, parentheses (the actions of a
// multi-action CREATE RULE) and the BEGIN ATOMIC … END body of a CREATE
// FUNCTION/PROCEDURE do not split. Like psql it counts parentheses
// outside quotes and comments, a ")" with none open counts nothing, and
// an unclosed "(" runs to the end of the file. Pieces made only of
// comments and whitespace are dropped.
//
// Like psql, it follows standard_conforming_strings through the file: after
// a statement that turns it off (SET [SESSION|LOCAL]
// standard_conforming_strings {=|TO} off), a backslash in a plain '…'
// string escapes the next character until a statement turns it on again
// (… = on, TO DEFAULT, RESET standard_conforming_strings, RESET ALL,
// DISCARD ALL). The file starts with it on, the server's default.
//
// It makes one pass over src, keeping no tokens: the statements are
// substrings of src, so it allocates little beyond the returned slice.
func splitScript(src string) ([]statement, error) {
	var (
		out   []statement
		sp    splitter
		lx    = lexer{src: src}
		lines = lineCounter{src: src, line: 1}
	)
	for {
		tk, ok, err := lx.scan()
		if err != nil {
			return nil, err
		}
		if !ok {
			return sp.flush(src, out, &lines, &lx), nil
		}
		sp.add(tk)
		if tk.kind == tokPunct && tk.text == ";" && sp.depth == 0 && sp.parens == 0 {
			out = sp.flush(src, out, &lines, &lx)
		}
	}
}

// relexer lexes a file again after splitScript succeeded on it,
// switching standard_conforming_strings where splitScript did: each token
// of a statement is lexed as that statement was. Between statements stand
// only whitespace, comments and ";", which lex alike either way.
type relexer struct {
	lx    lexer
	stmts []statement // splitScript(lx.src)
	k     int         // the first statement not ending at or before lx.pos
}

func (r *relexer) scan() (token, bool, error) {
	for r.k < len(r.stmts) && r.stmts[r.k].End <= r.lx.pos {
		r.k++
	}
	r.lx.backslashes = r.k < len(r.stmts) && r.stmts[r.k].backslashes
	return r.lx.scan()
}

// lineCounter maps increasing offsets to line numbers in linear time
// overall (large seed files have many statements).
type lineCounter struct {
	src  string
	off  int
	line int
}

func (lc *lineCounter) at(off int) int {
	lc.line += strings.Count(lc.src[lc.off:off], "\n")
	lc.off = off
	return lc.line
}

// splitter follows the tokens of the current statement: where its
// text and its code start and end, whether it holds code, its parenthesis
// depth and the BEGIN … END nesting of SQL-standard routine bodies.
type splitter struct {
	words   [4]string // the first few words, as written
	nwords  int
	parens  int
	depth   int
	routine bool

	open      bool // a non-blank token was seen; start is set
	start     int  // offset of the first non-blank token
	end       int  // end of the last non-blank token
	hasCode   bool // a token other than blank, comment or ";" was seen; codeStart is set
	codeStart int
}

func (sp *splitter) add(tk token) {
	if tk.kind != tokSpace {
		sp.mark(tk)
	}
	switch tk.kind {
	case tokPunct:
		sp.punct(tk.text)
	case tokWord:
		if sp.nwords < len(sp.words) || sp.routine {
			sp.word(tk.text)
		}
	}
}

// mark records the extent of the statement for a non-blank token.
func (sp *splitter) mark(tk token) {
	if !sp.open {
		sp.open, sp.start = true, tk.start
	}
	sp.end = tk.end
	// A ";" before any code ends an empty statement, so a kept statement's
	// code starts at its first token that is neither comment nor ";".
	if !sp.hasCode && tk.kind != tokComment && (tk.kind != tokPunct || tk.text != ";") {
		sp.hasCode, sp.codeStart = true, tk.start
	}
}

func (sp *splitter) punct(p string) {
	switch p {
	case "(":
		sp.parens++
	case ")":
		if sp.parens > 0 {
			sp.parens--
		}
	}
}

func (sp *splitter) word(w string) {
	if sp.nwords < len(sp.words) {
		sp.words[sp.nwords] = w
		sp.nwords++
		sp.routine = isRoutineHead(sp.words[:sp.nwords])
	}
	if !sp.routine || sp.parens > 0 {
		return
	}
	switch {
	case strings.EqualFold(w, "BEGIN"):
		sp.depth++
	case strings.EqualFold(w, "CASE"):
		if sp.depth > 0 {
			sp.depth++
		}
	case strings.EqualFold(w, "END"):
		if sp.depth > 0 {
			sp.depth--
		}
	}
}

// isRoutineHead reports whether the statement's first words are
// CREATE [OR REPLACE] FUNCTION|PROCEDURE, in any case.
func isRoutineHead(w []string) bool {
	is := func(i int, s string) bool { return i < len(w) && strings.EqualFold(w[i], s) }
	isRoutine := func(i int) bool { return is(i, "FUNCTION") || is(i, "PROCEDURE") }
	switch {
	case is(0, "CREATE") && isRoutine(1):
		return true
	case is(0, "CREATE") && is(1, "OR") && is(2, "REPLACE") && isRoutine(3):
		return true
	}
	return false
}

// flush ends the current statement, appends it to out unless it held
// nothing but whitespace, comments and semicolons, and resets the
// splitter for the next one. A statement that sets
// standard_conforming_strings switches lx for the rest of the file.
func (sp *splitter) flush(src string, out []statement, lines *lineCounter, lx *lexer) []statement {
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
			if on, ok := conformingStrings(st.code()); ok {
				lx.backslashes = !on
			}
		}
	}
	*sp = splitter{}
	return out
}

// maySetStrings reports the first words of the statements
// conformingStrings reads, so other statements are not lexed again.
func maySetStrings(first string) bool {
	return strings.EqualFold(first, "SET") || strings.EqualFold(first, "RESET") || strings.EqualFold(first, "DISCARD")
}

// conformingStrings reports the value a statement gives
// standard_conforming_strings, with ok false when it gives none (another
// setting, or a value the server would reject): SET [SESSION|LOCAL]
// standard_conforming_strings {=|TO} {value|DEFAULT}, RESET
// standard_conforming_strings, RESET ALL and DISCARD ALL. The default is
// taken to be on, the server's.
func conformingStrings(code []token) (on, ok bool) {
	if n := len(code); n > 0 && code[n-1].kind == tokPunct && code[n-1].text == ";" {
		code = code[:n-1]
	}
	const name = "standard_conforming_strings"
	switch {
	case len(code) == 2 && isWord(code[0], "RESET"):
		return true, isWord(code[1], name) || isWord(code[1], "ALL")
	case len(code) == 2 && isWord(code[0], "DISCARD"):
		return true, isWord(code[1], "ALL")
	case len(code) < 4 || !isWord(code[0], "SET"):
		return false, false
	}
	code = code[1:]
	if isWord(code[0], "SESSION") || isWord(code[0], "LOCAL") {
		code = code[1:]
	}
	if len(code) != 3 || !isWord(code[0], name) {
		return false, false
	}
	if !isWord(code[1], "TO") && (code[1].kind != tokPunct || code[1].text != "=") {
		return false, false
	}
	v := code[2]
	switch {
	case isWord(v, "DEFAULT"):
		return true, true
	case v.kind == tokWord:
		return parseBool(v.text)
	case (v.kind == tokString && v.text[0] == '\'') || v.kind == tokQuoted:
		return parseBool(v.text[1 : len(v.text)-1])
	}
	return false, false
}

// parseBool reads a boolean setting as the server does: on, off,
// true, false, yes, no, 1, 0, in any case, or an unambiguous prefix of
// one of the words ("of" is off; "o" is neither).
func parseBool(v string) (val, ok bool) {
	v = strings.ToLower(v)
	prefixOf := func(word string) bool { return v != "" && strings.HasPrefix(word, v) }
	switch {
	case v == "1" || v == "on":
		return true, true
	case v == "0" || len(v) >= 2 && prefixOf("off"):
		return false, true
	case prefixOf("true") || prefixOf("yes"):
		return true, true
	case prefixOf("false") || prefixOf("no"):
		return false, true
	}
	return false, false
}

// code returns the statement's significant tokens — no whitespace, no
// comments — lexed again from Code (which is whole tokens, so lexing
// cannot fail); their offsets are relative to Code.
func (st statement) code() []token {
	lx := lexer{src: st.Code, backslashes: st.backslashes}
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
