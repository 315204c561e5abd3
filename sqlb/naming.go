package sqlb

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// SnakeCase converts a Go identifier to snake_case with acronyms kept
// whole: UserID → user_id, HTTPServer → http_server, UserIDs → user_ids,
// OAuth2Token → o_auth2_token, ID → id.
func SnakeCase(s string) string {
	if s == "" {
		return ""
	}
	runes := []rune(s)
	var b strings.Builder
	b.Grow(len(s) + 4)
	for i, r := range runes {
		if unicode.IsUpper(r) {
			if i > 0 && runes[i-1] != '_' {
				prev := runes[i-1]
				nextLower := i+1 < len(runes) && unicode.IsLower(runes[i+1])
				// A plural acronym such as IDs or URLs: the s stays with it.
				if nextLower && runes[i+1] == 's' && (i+2 == len(runes) || !unicode.IsLower(runes[i+2])) && unicode.IsUpper(prev) {
					nextLower = false
				}
				if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
					b.WriteByte('_')
				}
			}
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

var uncountable = map[string]bool{
	"data": true, "equipment": true, "information": true, "news": true, "series": true,
	"species": true, "sheep": true, "fish": true, "deer": true, "metadata": true,
	"feedback": true, "media": true, "staff": true, "software": true, "rice": true, "money": true,
}

var irregular = map[string]string{
	"person": "people", "man": "men", "woman": "women", "child": "children", "mouse": "mice",
	"goose": "geese", "foot": "feet", "tooth": "teeth", "ox": "oxen", "leaf": "leaves",
	"life": "lives", "knife": "knives", "wife": "wives", "half": "halves", "wolf": "wolves",
	"shelf": "shelves", "datum": "data", "criterion": "criteria", "analysis": "analyses",
	"axis": "axes", "crisis": "crises", "thesis": "theses", "index": "indexes",
	"matrix": "matrices", "vertex": "vertices", "quiz": "quizzes", "hero": "heroes",
	"potato": "potatoes", "tomato": "tomatoes", "echo": "echoes", "cactus": "cacti",
	"alumnus": "alumni", "syllabus": "syllabi", "phenomenon": "phenomena",
}

// Plural returns the English plural of a snake_case name, pluralizing its
// last word: category → categories, user_address → user_addresses, box →
// boxes, person → people, status → statuses, key → keys, news → news.
func Plural(s string) string {
	if s == "" {
		return s
	}
	head, word := "", s
	if i := strings.LastIndexByte(s, '_'); i >= 0 {
		head, word = s[:i+1], s[i+1:]
	}
	lower := strings.ToLower(word)
	if uncountable[lower] {
		return s
	}
	if p, ok := irregular[lower]; ok {
		if word == lower {
			return head + p
		}
		r, n := utf8.DecodeRuneInString(p)
		return head + string(unicode.ToUpper(r)) + p[n:]
	}
	switch {
	case strings.HasSuffix(lower, "is") && len(lower) > 3:
		return head + word[:len(word)-2] + "es" // basis → bases
	case hasAnySuffix(lower, "s", "x", "z", "ch", "sh"):
		return head + word + "es" // class → classes, status → statuses, box → boxes
	case strings.HasSuffix(lower, "y") && len(lower) > 1 && !isVowel(lower[len(lower)-2]):
		return head + word[:len(word)-1] + "ies"
	}
	return head + word + "s"
}

func hasAnySuffix(s string, suffixes ...string) bool {
	for _, x := range suffixes {
		if strings.HasSuffix(s, x) {
			return true
		}
	}
	return false
}

func isVowel(c byte) bool { return strings.IndexByte("aeiou", c) >= 0 }
