package sqlb

import (
	"strings"
)

// TagOption is one token of a `norm` (or legacy `orm`) struct tag, kept
// raw: `default:now()` is {Key: "default", Value: "now()", HasValue: true}.
type TagOption struct {
	Key      string
	Value    string
	HasValue bool
}

// ParseTag splits a `norm` tag into its tokens. Tokens are separated by
// commas outside parentheses and single quotes, so `type:numeric(10,2)` and
// `default:'a,b'` are one token each. A token's key is the text before its
// first colon; the rest, trimmed, is its value, kept raw (quotes included).
// Matching is exact: a `-` inside a value is just text.
func ParseTag(tag string) ([]TagOption, error) {
	var out []TagOption
	depth := 0
	inQuote := false
	start := 0
	emit := func(tok string) error {
		tok = strings.TrimSpace(tok)
		if tok == "" {
			return nil
		}
		key, val, has := strings.Cut(tok, ":")
		key = strings.TrimSpace(key)
		if key == "" {
			return errInvalidTag("empty key in token " + quoteForMsg(tok))
		}
		out = append(out, TagOption{Key: key, Value: strings.TrimSpace(val), HasValue: has})
		return nil
	}
	for i := 0; i < len(tag); i++ {
		c := tag[i]
		switch {
		case inQuote:
			if c == '\'' {
				if i+1 < len(tag) && tag[i+1] == '\'' {
					i++
				} else {
					inQuote = false
				}
			}
		case c == '\'':
			inQuote = true
		case c == '(':
			depth++
		case c == ')':
			if depth == 0 {
				return nil, errInvalidTag("unbalanced ) in " + quoteForMsg(tag))
			}
			depth--
		case c == ',' && depth == 0:
			if err := emit(tag[start:i]); err != nil {
				return nil, err
			}
			start = i + 1
		}
	}
	if inQuote {
		return nil, errInvalidTag("unterminated quote in " + quoteForMsg(tag))
	}
	if depth != 0 {
		return nil, errInvalidTag("unbalanced ( in " + quoteForMsg(tag))
	}
	if err := emit(tag[start:]); err != nil {
		return nil, err
	}
	return out, nil
}

type tagError string

func (e tagError) Error() string { return string(e) }

func errInvalidTag(msg string) error { return tagError(msg) }

// unquoteSQLString turns 'it”s' into it's; other text is returned as is.
func unquoteSQLString(s string) string {
	if len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'' {
		return strings.ReplaceAll(s[1:len(s)-1], "''", "'")
	}
	return s
}
