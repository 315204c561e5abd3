package observe

import (
	"strings"
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
func Normalize(sql string) string {
	var b strings.Builder
	b.Grow(len(sql))
	lx := lexer{src: sql}
	space := false
	for {
		tok, ok := lx.next()
		if !ok {
			break
		}
		switch tok.kind {
		case tokSpace, tokComment:
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		switch tok.kind {
		case tokString, tokNumber:
			b.WriteByte('?')
		default:
			b.WriteString(sql[tok.start:tok.end])
		}
	}
	return b.String()
}

// Operation names the kind of statement sql is, for bounded metric labels:
// "select", "insert", "update", "delete" or "other". A statement starting
// with WITH is classified by the first of those keywords outside
// parentheses, so "WITH x AS (SELECT ...) DELETE ..." is a delete.
func Operation(sql string) string {
	lx := lexer{src: sql}
	depth := 0
	first := true
	for {
		tok, ok := lx.next()
		if !ok {
			return OpOther
		}
		switch tok.kind {
		case tokSpace, tokComment:
			continue
		case tokPunct:
			switch sql[tok.start] {
			case '(':
				depth++
			case ')':
				depth--
			}
			first = false
			continue
		case tokWord:
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

func verb(word string) string {
	for _, op := range [...]string{OpSelect, OpInsert, OpUpdate, OpDelete} {
		if strings.EqualFold(word, op) {
			return op
		}
	}
	return ""
}
