package migrate

import (
	"strings"

	"github.com/normkit/norm/internal/sqllex"
)

// normalizeExpr returns a canonical form of a SQL expression for
// comparison only (never for execution): keywords and unquoted names
// lower-cased, whitespace dropped where it does not separate words, casts
// of literals removed ('draft'::text → 'draft', (0)::numeric → 0),
// parentheses around a single literal and around the whole expression
// removed. The catalog prints defaults, predicates and checks in its own
// style; normalising both sides makes an unchanged model compare equal.
func normalizeExpr(s string) string {
	toks := lexExpr(s)
	toks = dropLiteralCasts(toks)
	toks = stripOuterParens(toks)
	return joinTokens(toks)
}

type exprTok struct {
	kind byte // 'w' word, 'n' number, 's' string, 'q' quoted ident, 'p' punctuation
	text string
}

// lexExpr splits an expression into tokens with norm's one PostgreSQL
// lexer (internal/sqllex): whitespace and comments dropped, words
// lower-cased, a run of operator characters one token, as the comparison
// needs.
func lexExpr(s string) []exprTok {
	var toks []exprTok
	lx := sqllex.New(s)
	opEnd := -1 // where the last token ended, if it was an operator
	for {
		t, ok := lx.Next()
		if !ok {
			return toks
		}
		text := s[t.Start:t.End]
		switch t.Kind {
		case sqllex.Space, sqllex.Comment:
			continue
		case sqllex.String, sqllex.DollarString:
			toks = append(toks, exprTok{'s', text})
		case sqllex.QuotedIdent:
			toks = append(toks, quotedIdentTok(text))
		case sqllex.Number:
			toks = append(toks, exprTok{'n', text})
		case sqllex.Word:
			toks = append(toks, exprTok{'w', strings.ToLower(text)})
		default: // Cast, Punct, Param, Semicolon
			if !isOpChars(text) {
				toks = append(toks, exprTok{'p', text})
				break
			}
			// Operator characters next to each other are one operator.
			if opEnd == t.Start {
				toks[len(toks)-1].text += text
			} else {
				toks = append(toks, exprTok{'p', text})
			}
			opEnd = t.End
			continue
		}
		opEnd = -1
	}
}

// isOpChars reports whether s is made of the characters of operators.
func isOpChars(s string) bool {
	for i := 0; i < len(s); i++ {
		if strings.IndexByte("+-*/<>=~!@#%^&|`?:", s[i]) < 0 {
			return false
		}
	}
	return s != ""
}

// typeTailWords may follow the first word of a multi-word type name.
var typeTailWords = map[string]bool{"varying": true, "precision": true, "with": true, "without": true, "time": true, "zone": true}

// dropLiteralCasts removes "::type" after a literal, and the parentheses
// the catalog puts around a cast number: (0)::numeric → 0.
func dropLiteralCasts(toks []exprTok) []exprTok {
	out := make([]exprTok, 0, len(toks))
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.text != "::" || !endsWithLiteral(out) {
			out = append(out, t)
			continue
		}
		end := skipTypeName(toks, i+1)
		numeric := i+1 < len(toks) && numericTypes[toks[i+1].text]
		i = end - 1
		if n := len(out); n >= 3 && out[n-1].text == ")" && out[n-3].text == "(" {
			out = append(out[:n-3], out[n-2])
		}
		if n := len(out); numeric && out[n-1].kind == 's' && isNumber(strings.Trim(out[n-1].text, "'")) {
			out[n-1] = exprTok{'n', strings.Trim(out[n-1].text, "'")} // '-1'::integer → -1
		}
	}
	return out
}

func endsWithLiteral(out []exprTok) bool {
	n := len(out)
	switch {
	case n == 0:
		return false
	case out[n-1].kind == 's' || out[n-1].kind == 'n':
		return true
	case n >= 3 && out[n-1].text == ")" && out[n-3].text == "(":
		k := out[n-2].kind
		return k == 's' || k == 'n'
	}
	return false
}

// skipTypeName returns the index after the type name starting at i.
func skipTypeName(toks []exprTok, i int) int {
	if i < len(toks) && (toks[i].kind == 'w' || toks[i].kind == 'q') {
		i++
	}
	// A schema-qualified name: 'low'::ops.level, 'x'::"My Schema"."Tone".
	for i+1 < len(toks) && toks[i].text == "." && (toks[i+1].kind == 'w' || toks[i+1].kind == 'q') {
		i += 2
	}
	for i < len(toks) && toks[i].kind == 'w' && typeTailWords[toks[i].text] {
		i++
	}
	if i < len(toks) && toks[i].text == "(" {
		for i < len(toks) && toks[i].text != ")" {
			i++
		}
		i++
	}
	for i+1 < len(toks) && toks[i].text == "[" && toks[i+1].text == "]" {
		i += 2
	}
	return i
}

// stripOuterParens removes parentheses that enclose the whole expression.
func stripOuterParens(toks []exprTok) []exprTok {
	for len(toks) >= 2 && toks[0].text == "(" && toks[len(toks)-1].text == ")" && closes(toks, 0) == len(toks)-1 {
		toks = toks[1 : len(toks)-1]
	}
	return toks
}

// closes returns the index of the parenthesis matching the one at open.
func closes(toks []exprTok, open int) int {
	depth := 0
	for i := open; i < len(toks); i++ {
		switch toks[i].text {
		case "(":
			depth++
		case ")":
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

func joinTokens(toks []exprTok) string {
	var b strings.Builder
	for i, t := range toks {
		if i > 0 && t.kind != 'p' && toks[i-1].kind != 'p' {
			b.WriteByte(' ')
		}
		b.WriteString(t.text)
	}
	return b.String()
}

var numericTypes = map[string]bool{"integer": true, "bigint": true, "smallint": true, "numeric": true, "real": true, "double": true}

func isNumber(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && s[i] != '.' {
			return false
		}
	}
	return true
}

// quotedIdentTok unquotes an identifier that needs no quotes ("status" →
// status), as the catalog prints it; names that need quotes stay quoted.
func quotedIdentTok(q string) exprTok {
	inner := strings.TrimSuffix(strings.TrimPrefix(q, `"`), `"`)
	if inner == "" || inner[0] >= '0' && inner[0] <= '9' {
		return exprTok{'q', q}
	}
	for i := 0; i < len(inner); i++ {
		if c := inner[i]; c != '_' && (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return exprTok{'q', q}
		}
	}
	return exprTok{'w', inner}
}
