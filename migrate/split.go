package migrate

import (
	"fmt"
	"strings"
)

// fileTokKind classifies one lexical token of a SQL file.
type fileTokKind int

const (
	fileTokSpace   fileTokKind = iota // whitespace
	fileTokComment                    // -- line comment or /* block comment */
	fileTokWord                       // keyword, identifier or number
	fileTokQuoted                     // "double-quoted identifier"
	fileTokString                     // '...', E'...', $tag$...$tag$
	fileTokPunct                      // one other character (; ( ) , . …)
)

// fileTok is one token: its kind and its byte range in the source.
type fileTok struct {
	kind       fileTokKind
	start, end int
	text       string
}

// fileStmt is one statement of a SQL file: its text (from its first
// non-blank token, leading comments included, through its terminating
// semicolon, if any), its byte range in the file, the text from its first
// code token on (for messages), the line that token is on, and its tokens.
type fileStmt struct {
	SQL        string
	Start, End int
	Code       string
	Line       int
	toks       []fileTok
}

// fileLexer turns SQL text into tokens following PostgreSQL's lexical
// rules for strings, identifiers, comments and dollar quoting.
type fileLexer struct {
	src  string
	pos  int
	toks []fileTok
}

// fileLex tokenizes src. It fails on an unterminated string, quoted
// identifier, dollar-quoted body or block comment, naming the line where
// the construct starts.
func fileLex(src string) ([]fileTok, error) {
	lx := &fileLexer{src: src, toks: make([]fileTok, 0, len(src)/4+1)}
	for lx.pos < len(src) {
		start := lx.pos
		kind, err := lx.next()
		if err != nil {
			return nil, fmt.Errorf("%w at line %d", err, fileLineAt(src, start))
		}
		lx.toks = append(lx.toks, fileTok{kind: kind, start: start, end: lx.pos, text: src[start:lx.pos]})
	}
	return lx.toks, nil
}

func (lx *fileLexer) peek(off int) byte {
	if lx.pos+off < len(lx.src) {
		return lx.src[lx.pos+off]
	}
	return 0
}

// next consumes one token starting at lx.pos and reports its kind.
func (lx *fileLexer) next() (fileTokKind, error) {
	c := lx.src[lx.pos]
	switch {
	case fileIsSpace(c):
		for lx.pos < len(lx.src) && fileIsSpace(lx.src[lx.pos]) {
			lx.pos++
		}
		return fileTokSpace, nil
	case c == '-' && lx.peek(1) == '-':
		return lx.lineComment(), nil
	case c == '/' && lx.peek(1) == '*':
		return fileTokComment, lx.blockComment()
	case c == '\'':
		return fileTokString, lx.quoted('\'', false, "string literal")
	case c == '"':
		return fileTokQuoted, lx.quoted('"', false, "quoted identifier")
	case (c == 'e' || c == 'E') && lx.peek(1) == '\'':
		lx.pos++
		return fileTokString, lx.quoted('\'', true, "E'' string literal")
	case c == '$':
		if tag, ok := lx.dollarTag(); ok {
			return fileTokString, lx.dollarBody(tag)
		}
		return lx.word(), nil
	case fileIsIdentChar(c):
		return lx.word(), nil
	}
	lx.pos++
	return fileTokPunct, nil
}

func (lx *fileLexer) lineComment() fileTokKind {
	for lx.pos < len(lx.src) && lx.src[lx.pos] != '\n' {
		lx.pos++
	}
	return fileTokComment
}

// blockComment consumes a /* */ comment; PostgreSQL nests them.
func (lx *fileLexer) blockComment() error {
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
func (lx *fileLexer) quoted(q byte, backslashes bool, what string) error {
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
func (lx *fileLexer) dollarTag() (string, bool) {
	if lx.pos > 0 && fileIsIdentChar(lx.src[lx.pos-1]) {
		return "", false
	}
	i := lx.pos + 1
	if i < len(lx.src) && lx.src[i] >= '0' && lx.src[i] <= '9' {
		return "", false
	}
	for i < len(lx.src) && fileIsIdentChar(lx.src[i]) && lx.src[i] != '$' {
		i++
	}
	if i < len(lx.src) && lx.src[i] == '$' {
		return lx.src[lx.pos : i+1], true
	}
	return "", false
}

func (lx *fileLexer) dollarBody(tag string) error {
	lx.pos += len(tag)
	idx := strings.Index(lx.src[lx.pos:], tag)
	if idx < 0 {
		lx.pos = len(lx.src)
		return fmt.Errorf("unterminated dollar-quoted body %s", tag)
	}
	lx.pos += idx + len(tag)
	return nil
}

func (lx *fileLexer) word() fileTokKind {
	lx.pos++
	for lx.pos < len(lx.src) && fileIsIdentChar(lx.src[lx.pos]) {
		lx.pos++
	}
	return fileTokWord
}

func fileIsSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// fileIsIdentChar reports bytes that may continue an identifier, keyword
// or number; bytes of multi-byte UTF-8 characters count as letters.
func fileIsIdentChar(c byte) bool {
	return c == '_' || c == '$' || c >= 0x80 ||
		(c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

func fileLineAt(src string, off int) int {
	return strings.Count(src[:off], "\n") + 1
}

// fileSplit splits a SQL file into statements at top-level semicolons.
// Semicolons inside strings, quoted identifiers, comments, dollar-quoted
// bodies and the BEGIN ATOMIC … END body of a CREATE FUNCTION/PROCEDURE
// do not split. Pieces made only of comments and whitespace are dropped.
func fileSplit(src string) ([]fileStmt, error) {
	toks, err := fileLex(src)
	if err != nil {
		return nil, err
	}
	var (
		out   []fileStmt
		sp    fileSplitter
		lines = fileLineCounter{src: src, line: 1}
	)
	from := 0
	for i, tk := range toks {
		sp.add(tk)
		if tk.kind == fileTokPunct && tk.text == ";" && sp.depth == 0 || i == len(toks)-1 {
			st, ok := sp.flush(src, toks[from:i+1:i+1])
			from = i + 1
			if ok {
				st.Line = lines.at(st.End - len(st.Code))
				out = append(out, st)
			}
		}
	}
	return out, nil
}

// fileLineCounter maps increasing offsets to line numbers in linear time
// overall (large seed files have many statements).
type fileLineCounter struct {
	src  string
	off  int
	line int
}

func (lc *fileLineCounter) at(off int) int {
	lc.line += strings.Count(lc.src[lc.off:off], "\n")
	lc.off = off
	return lc.line
}

// fileSplitter accumulates the tokens of the current statement and tracks
// the BEGIN … END nesting of SQL-standard routine bodies.
type fileSplitter struct {
	words   []string // the first few words, upper-cased
	parens  int
	depth   int
	routine bool
}

func (sp *fileSplitter) add(tk fileTok) {
	switch tk.kind {
	case fileTokPunct:
		sp.punct(tk.text)
	case fileTokWord:
		if len(sp.words) < 4 || sp.routine {
			sp.word(strings.ToUpper(tk.text))
		}
	}
}

func (sp *fileSplitter) punct(p string) {
	switch p {
	case "(":
		sp.parens++
	case ")":
		if sp.parens > 0 {
			sp.parens--
		}
	}
}

func (sp *fileSplitter) word(w string) {
	if len(sp.words) < 4 {
		sp.words = append(sp.words, w)
		sp.routine = fileIsRoutineHead(sp.words)
	}
	if !sp.routine || sp.parens > 0 {
		return
	}
	switch w {
	case "BEGIN":
		sp.depth++
	case "CASE":
		if sp.depth > 0 {
			sp.depth++
		}
	case "END":
		if sp.depth > 0 {
			sp.depth--
		}
	}
}

// fileIsRoutineHead reports whether the statement's first words are
// CREATE [OR REPLACE] FUNCTION|PROCEDURE.
func fileIsRoutineHead(w []string) bool {
	isRoutine := func(s string) bool { return s == "FUNCTION" || s == "PROCEDURE" }
	switch {
	case len(w) >= 2 && w[0] == "CREATE" && isRoutine(w[1]):
		return true
	case len(w) >= 4 && w[0] == "CREATE" && w[1] == "OR" && w[2] == "REPLACE" && isRoutine(w[3]):
		return true
	}
	return false
}

// flush ends the current statement made of toks; ok is false when it
// held nothing but whitespace and comments.
func (sp *fileSplitter) flush(src string, toks []fileTok) (fileStmt, bool) {
	*sp = fileSplitter{words: sp.words[:0]}
	first := -1
	for i, tk := range toks {
		if tk.kind != fileTokSpace && first < 0 {
			first = i
		}
	}
	if first < 0 || !fileHasCode(toks) {
		return fileStmt{}, false
	}
	last := len(toks) - 1
	for toks[last].kind == fileTokSpace {
		last--
	}
	st := fileStmt{Start: toks[first].start, End: toks[last].end, toks: toks[first : last+1]}
	st.SQL = src[st.Start:st.End]
	for _, tk := range st.toks {
		if tk.kind != fileTokSpace && tk.kind != fileTokComment {
			st.Code = src[tk.start:st.End] // fileHasCode guarantees one
			break
		}
	}
	return st, true
}

func fileHasCode(toks []fileTok) bool {
	for _, tk := range toks {
		if tk.kind != fileTokSpace && tk.kind != fileTokComment && (tk.kind != fileTokPunct || tk.text != ";") {
			return true
		}
	}
	return false
}

// code returns the statement's significant tokens: no whitespace, no
// comments.
func (st fileStmt) code() []fileTok {
	out := make([]fileTok, 0, len(st.toks))
	for _, tk := range st.toks {
		if tk.kind != fileTokSpace && tk.kind != fileTokComment {
			out = append(out, tk)
		}
	}
	return out
}
