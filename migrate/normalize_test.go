package migrate

import (
	"strings"
	"testing"
)

func TestNormalizeExprMatchesCatalogStyle(t *testing.T) {
	t.Parallel()
	tests := []struct{ model, catalog string }{
		{"'draft'", "'draft'::text"},
		{"now()", "now()"},
		{"CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP"},
		{"0", "0"},
		{"-1", "'-1'::integer"},
		{"'{}'", "'{}'::jsonb"},
		{"deleted_at IS NULL", "(deleted_at IS NULL)"},
		{`"deleted_at" IS NULL`, "(deleted_at IS NULL)"},
		{"status = 'active'", "(status = 'active'::text)"},
		{"price > 0", "(price > (0)::numeric)"},
		{"length(name) BETWEEN 1 AND 64", "((length(name) >= 1) AND (length(name) <= 64))"},
		{"'a b'::character varying", "'a b'::character varying"},
		{"'2020-01-01'", "'2020-01-01 00:00:00+00'::timestamp with time zone"},
		{"'low'", "'low'::ops.level"},        // an enum in another schema
		{"'calm'", `'calm'::"Tone"`},         // a quoted enum name
		{"'x'", `'x'::"My Schema"."Tone"[]`}, // quoted, qualified, array
		{"'happy'", "'happy'::public.mood"},  // qualified by the catalog
	}
	for i, tt := range tests {
		got, want := normalizeExpr(tt.model), normalizeExpr(tt.catalog)
		switch i {
		case 10, 12: // PostgreSQL rewrites these; they must NOT compare equal, or a change would be missed
			if got == want {
				t.Errorf("%q and %q normalise equal (%q) though they differ in text", tt.model, tt.catalog, got)
			}
		default:
			if got != want {
				t.Errorf("normalizeExpr(%q) = %q, normalizeExpr(%q) = %q; want equal", tt.model, got, tt.catalog, want)
			}
		}
	}
}

func TestNormalizeExprKeepsDifferences(t *testing.T) {
	t.Parallel()
	pairs := [][2]string{
		{"'Draft'", "'draft'"},
		{`"Status" = 1`, "status = 1"},
		{"a > 0", "a >= 0"},
		{"x::date = y", "x = y"},
	}
	for _, p := range pairs {
		if normalizeExpr(p[0]) == normalizeExpr(p[1]) {
			t.Errorf("%q and %q normalise equal", p[0], p[1])
		}
	}
}

func TestNormalizeType(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"VARCHAR(64)":              "character varying(64)",
		"varchar":                  "character varying",
		"timestamptz":              "timestamp with time zone",
		"timestamptz(3)":           "timestamp(3) with time zone",
		"decimal(10, 2)":           "numeric(10,2)",
		"int[]":                    "integer[]",
		"int8":                     "bigint",
		"citext":                   "citext",
		"double precision":         "double precision",
		"Timestamp With Time Zone": "timestamp with time zone",
		`"MyEnum"`:                 `"MyEnum"`,
	}
	for in, want := range tests {
		if got := normalizeType(in); got != want {
			t.Errorf("normalizeType(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestNormalizeExprBackslashInPlainLiteral: with standard_conforming_strings
// on (the default the catalog prints under), a backslash in a plain '...'
// literal is an ordinary character and the next quote ends the literal;
// only E'...' strings use backslash escapes. Reading a plain literal as an
// E-string would run it on past its end, keeping the case of the words
// after it and hiding the cast the catalog adds.
func TestNormalizeExprBackslashInPlainLiteral(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{`'C:\'`, `'C:\'`},
		{`'C:\'::text`, `'C:\'`},
		{`('\'::text)`, `'\'`},
		{`'a\b'::character varying`, `'a\b'`},
		{`path = 'a\' AND Flag`, `path='a\' and flag`},
		{`'a\' = 'B'`, `'a\'='B'`},
		{`(dir <> 'x\'::text) AND (Dir IS NOT NULL)`, `(dir<>'x\')and(dir is not null)`},
		{`E'a\'B' = X`, `E'a\'B'=x`},         // E-string: \' escapes the quote
		{`e'a\\' = 'B'::text`, `e'a\\'='B'`}, // E-string: \\ is one backslash, then the quote ends it
	}
	for _, tt := range tests {
		if got := normalizeExpr(tt.in); got != tt.want {
			t.Errorf("normalizeExpr(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, p := range [][2]string{
		{`'a\' = 'B'`, `'a\' = 'b'`},
		{`'a\b'`, `E'a\b'`},
		{`'C:\' || Suffix`, `'C:\' || 'Suffix'`},
	} {
		if normalizeExpr(p[0]) == normalizeExpr(p[1]) {
			t.Errorf("%q and %q normalise equal (%q)", p[0], p[1], normalizeExpr(p[0]))
		}
	}
}

// TestNormalizeExprForms pins the canonical form itself: a leading
// operator after a space, casts of literals dropped (a quoted number cast
// to a numeric type becoming the number), and a quoted identifier
// unquoted only when it is a valid lower-case unquoted name.
func TestNormalizeExprForms(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		" -1":             "-1",
		"a >= -1":         "a>=-1",
		"(1)::integer":    "1",
		"'5'::numeric":    "5",
		"'-5.5'::numeric": "-5.5",
		"'1a'::integer":   "'1a'",
		"'-'::integer":    "'-'",
		"''::integer":     "''",
		`"abc"`:           "abc",
		`"a_1"`:           "a_1",
		`"9a"`:            `"9a"`,
		`""`:              `""`,
		`"aB"`:            `"aB"`,
		`"a-b"`:           `"a-b"`,
	} {
		if got := normalizeExpr(in); got != want {
			t.Errorf("normalizeExpr(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestLexExprJoinsAdjacentOperatorCharacters: operator characters next to
// each other are one operator token; a space or another token between
// them separates them.
func TestLexExprJoinsAdjacentOperatorCharacters(t *testing.T) {
	t.Parallel()
	for in, want := range map[string][]string{
		"a>=-1":     {"a", ">=-", "1"},
		"a+-b":      {"a", "+-", "b"},
		"a >= - 1":  {"a", ">=", "-", "1"},
		"x::int<>y": {"x", "::", "int", "<>", "y"},
		"(a)||(b)":  {"(", "a", ")", "||", "(", "b", ")"},
	} {
		var got []string
		for _, tok := range lexExpr(in) {
			got = append(got, tok.text)
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("lexExpr(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestNormalizeExprCastEdges: only the cast of a literal goes (a quoted
// number becomes a number only for a numeric type), the parentheses the
// catalog puts around a cast literal go with it but no other tokens do,
// and a cast cut short at the end of the text does not read past it.
func TestNormalizeExprCastEdges(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"'1'::text":        "'1'",
		"'5'::text":        "'5'",
		"('x')::text":      "'x'",
		"(a)::integer":     "(a)::integer",
		"'a' || 'b'::text": "'a'||'b'",
		"(0)::numeric + 1": "0+1",
		"'x'::":            "'x'",
		"'x'::t.":          "'x'.",
		"(1)::":            "1",
		"f(-'1'::integer)": "f(-1)",
		"g(- 'x'::text)":   "g(-'x')",
		"('a' b::int":      "('a' b::int",
		// Type names with modifiers, arrays and qualifiers, some cut short.
		"'a'::character varying(10)": "'a'",
		"'1.5'::numeric(10,2)":       "1.5",
		"'90'::integer":              "90",
		"'x'::t[":                    "'x'[",
		"'x'::t. 5":                  "'x'.5",
		`'x'::"T". 5`:                "'x'.5",
		"'x'::t(1":                   "'x'",
		// Parentheses: only a balanced pair around everything goes.
		"()":   "",
		"((a)": "((a)",
		// Quoted identifiers of the characters at the edges of each range.
		`"za09"`: "za09",
		`"0a"`:   `"0a"`,
	} {
		if got := normalizeExpr(in); got != want {
			t.Errorf("normalizeExpr(%q) = %q, want %q", in, got, want)
		}
	}
}
