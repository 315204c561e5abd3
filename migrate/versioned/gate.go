package versioned

import (
	"strings"

	"github.com/normkit/norm/internal/sqllex"
)

// gate reports why a statement would destroy data ("" when it would
// not). It looks at the statement's tokens, so comments and the contents
// of strings and dollar-quoted bodies neither trigger nor hide a gate.
func gate(st statement) string {
	code := st.code()
	w := func(i int) string {
		if i < len(code) && code[i].kind == tokWord {
			return strings.ToUpper(code[i].text)
		}
		return ""
	}
	switch w(0) {
	case "DROP":
		if kind := w(1); kind == "TABLE" || kind == "SCHEMA" {
			return "DROP " + kind
		}
	case "TRUNCATE":
		return "TRUNCATE"
	case "DELETE":
		return "DELETE"
	case "WITH":
		return gateCTE(code)
	case "DO":
		return gateDo(code)
	case "ALTER":
		if w(1) == "TABLE" {
			return gateAlterTable(code)
		}
	}
	return ""
}

// gateCTE finds a data-modifying DELETE inside a WITH statement.
func gateCTE(code []token) string {
	for i := 0; i+1 < len(code); i++ {
		if isWord(code[i], "DELETE") && isWord(code[i+1], "FROM") {
			return "DELETE"
		}
	}
	return ""
}

// gateDo looks into the body of a DO block (PL/pgSQL is code, not
// data) for DROP TABLE, DROP SCHEMA, DROP COLUMN, TRUNCATE or DELETE FROM.
// Dynamic SQL built in strings inside the body is not seen.
func gateDo(code []token) string {
	for _, tk := range code[1:] {
		if tk.kind != tokString {
			continue
		}
		body, ok := stringBody(tk.text)
		if !ok {
			continue
		}
		inner, err := lex(body)
		if err != nil {
			return "DO block that cannot be parsed"
		}
		var words []token
		for _, t := range inner {
			if t.kind == tokWord {
				words = append(words, t)
			}
		}
		for i := 0; i+1 < len(words); i++ {
			if reason := gateWords(words[i].text, words[i+1].text); reason != "" {
				return "DO block with " + reason
			}
		}
	}
	return ""
}

func gateWords(a, b string) string {
	a, b = strings.ToUpper(a), strings.ToUpper(b)
	switch {
	case a == "DROP" && (b == "TABLE" || b == "SCHEMA" || b == "COLUMN"):
		return a + " " + b
	case a == "TRUNCATE":
		return a
	case a == "DELETE" && b == "FROM":
		return "DELETE"
	}
	return ""
}

// stringBody returns the content of a dollar-quoted or plain
// single-quoted literal (the usual forms of a DO body).
func stringBody(lit string) (string, bool) {
	if tag := sqllex.DollarTag(lit); tag != "" {
		if len(lit) < 2*len(tag) {
			return "", false
		}
		return lit[len(tag) : len(lit)-len(tag)], true
	}
	if len(lit) >= 2 && lit[0] == '\'' {
		return strings.ReplaceAll(lit[1:len(lit)-1], "''", "'"), true
	}
	return "", false
}

// gateAlterTable finds a DROP [COLUMN] action in ALTER TABLE: a
// top-level DROP not followed by CONSTRAINT or by an ALTER COLUMN
// sub-action (DEFAULT, NOT NULL, IDENTITY, EXPRESSION).
func gateAlterTable(code []token) string {
	parens := 0
	for i, tk := range code {
		switch {
		case tk.kind == tokPunct && tk.text == "(":
			parens++
		case tk.kind == tokPunct && tk.text == ")":
			parens--
		case parens == 0 && isWord(tk, "DROP"):
			if i+1 >= len(code) {
				continue
			}
			next := code[i+1]
			if next.kind == tokWord && alterDropSafe(next.text) {
				continue
			}
			return "ALTER TABLE … DROP COLUMN"
		}
	}
	return ""
}

// alterDropSafe reports the words after DROP in ALTER TABLE that do
// not drop a column.
func alterDropSafe(word string) bool {
	switch strings.ToUpper(word) {
	case "CONSTRAINT", "DEFAULT", "NOT", "IDENTITY", "EXPRESSION":
		return true
	}
	return false
}

func isWord(tk token, w string) bool {
	return tk.kind == tokWord && strings.EqualFold(tk.text, w)
}

// shorten returns the statement on one line, cut to 120 bytes.
func shorten(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 120 {
		return s[:117] + "..."
	}
	return s
}
