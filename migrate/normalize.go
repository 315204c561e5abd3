package migrate

import (
	"strings"
	"unicode"
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

func lexExpr(s string) []exprTok {
	var toks []exprTok
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '\'' || (c == 'E' || c == 'e') && i+1 < len(s) && s[i+1] == '\'':
			j := scanQuoted(s, i, '\'')
			toks = append(toks, exprTok{'s', s[i:j]})
			i = j
		case c == '"':
			j := scanQuoted(s, i, '"')
			toks = append(toks, quotedIdentTok(s[i:j]))
			i = j
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			j := i
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.' || s[j] == 'e' || s[j] == 'E') {
				j++
			}
			toks = append(toks, exprTok{'n', s[i:j]})
			i = j
		case c == '_' || unicode.IsLetter(rune(c)) || c >= 0x80:
			j := i
			for j < len(s) && (s[j] == '_' || s[j] == '$' || unicode.IsLetter(rune(s[j])) || s[j] >= '0' && s[j] <= '9' || s[j] >= 0x80) {
				j++
			}
			toks = append(toks, exprTok{'w', strings.ToLower(s[i:j])})
			i = j
		case c == '(' || c == ')' || c == ',' || c == '[' || c == ']':
			toks = append(toks, exprTok{'p', string(c)})
			i++
		default:
			j := i
			for j < len(s) && strings.IndexByte("+-*/<>=~!@#%^&|`?:", s[j]) >= 0 {
				j++
			}
			if j == i {
				j++
			}
			toks = append(toks, exprTok{'p', s[i:j]})
			i = j
		}
	}
	return toks
}

// scanQuoted returns the index after the quoted token starting at i (an
// optional E prefix, then quote q); a doubled quote continues the token.
func scanQuoted(s string, i int, q byte) int {
	escapes := s[i] == 'E' || s[i] == 'e'
	if escapes {
		i++
	}
	for j := i + 1; j < len(s); j++ {
		switch {
		case escapes && s[j] == '\\':
			j++
		case s[j] == q && j+1 < len(s) && s[j+1] == q:
			j++
		case s[j] == q:
			return j + 1
		}
	}
	return len(s)
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
