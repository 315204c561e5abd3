package observe

import (
	"strings"

	"github.com/normkit/norm/internal/sqllex"
)

// Normalize returns sql with every literal replaced by "?" so that the
// result can be logged, used as a span attribute or hashed into a metric
// label without revealing values that were inlined into the statement.
//
// It replaces string constants ('...', E'...' with backslash escapes,
// B'...', X'...', U&'...'), dollar-quoted strings ($$...$$, $tag$...$tag$)
// and numeric constants (42, 3.14, 1e10, 0x1F, 1_000). Comments are dropped,
// because callers sometimes put user data in them, and runs of whitespace
// collapse to one space. Positional parameters ($1, $2, ...), quoted
// identifiers ("users") and keywords are kept as written.
//
// Normalize never fails: an unterminated literal or comment swallows the
// rest of the statement, which is replaced by "?", so malformed input can
// not leak its tail.
//
// Whether a backslash in a plain '...' string escapes the next character
// depends on the session's standard_conforming_strings, which Normalize
// cannot see: 'O\'Reilly' is one literal when it is off and a literal
// followed by code when it is on. So when the text holds a backslash,
// Normalize reads it both ways and masks every byte that either reading
// puts in a literal; text that is code both ways is kept.
func Normalize(sql string) string {
	if strings.IndexByte(sql, '\\') >= 0 {
		return normalizeEitherWay(sql)
	}
	var b strings.Builder
	b.Grow(len(sql))
	lx := sqllex.New(sql)
	space := false
	for {
		tok, ok := lx.Next()
		if !ok {
			break
		}
		if tok.Kind.Blank() {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		if tok.Kind.Literal() {
			b.WriteByte('?')
		} else {
			b.WriteString(sql[tok.Start:tok.End])
		}
	}
	return b.String()
}

// byteClass is what a byte of SQL text is, for normalizeEitherWay; a
// higher class wins when the two readings differ.
type byteClass uint8

const (
	byteCode    byteClass = iota // code in both readings: kept
	byteBlank                    // whitespace or comment in a reading: one space
	byteLiteral                  // inside a literal in a reading: masked
)

// normalizeEitherWay is Normalize for text holding a backslash: it lexes
// sql with standard_conforming_strings on and off, classes each byte by
// the stronger of its two readings, and writes one "?" per run of
// literal bytes, one space per run of blank ones and code as written.
func normalizeEitherWay(sql string) string {
	class := make([]byteClass, len(sql))
	for _, off := range [...]bool{false, true} {
		lx := sqllex.New(sql)
		lx.Backslashes = off
		for {
			tok, ok := lx.Next()
			if !ok {
				break
			}
			var c byteClass
			switch {
			case tok.Kind.Literal():
				c = byteLiteral
			case tok.Kind.Blank():
				c = byteBlank
			default:
				continue
			}
			for i := tok.Start; i < tok.End; i++ {
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
func Operation(sql string) string {
	lx := sqllex.New(sql)
	depth := 0
	first := true
	for {
		tok, ok := lx.Next()
		if !ok {
			return OpOther
		}
		switch tok.Kind {
		case sqllex.Space, sqllex.Comment:
			continue
		case sqllex.Punct:
			switch sql[tok.Start] {
			case '(':
				depth++
			case ')':
				depth--
			}
			first = false
			continue
		case sqllex.Word:
		default:
			first = false
			continue
		}
		word := sql[tok.Start:tok.End]
		if op := verb(word); op != "" && depth == 0 {
			return op
		}
		if first && !strings.EqualFold(word, "with") {
			return OpOther
		}
		first = false
	}
}

func verb(word string) string {
	for _, op := range [...]string{OpSelect, OpInsert, OpUpdate, OpDelete} {
		if strings.EqualFold(word, op) {
			return op
		}
	}
	return ""
}
