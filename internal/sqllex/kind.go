package sqllex

// Kind is what a token is.
type Kind uint8

// The kinds of token. Every byte of the text belongs to exactly one token.
const (
	// Space is a run of whitespace: space, tab, newline, carriage return,
	// form feed, vertical tab.
	Space Kind = iota + 1
	// Comment is a -- line comment (up to, not including, the newline or
	// carriage return that ends it) or a /* block comment */, which nests.
	Comment
	// String is a string constant: '…', E'…' (backslash escapes), N'…',
	// B'…', X'…' or U&'…', prefix included.
	String
	// DollarString is a dollar-quoted string: $$…$$ or $tag$…$tag$.
	DollarString
	// QuotedIdent is a quoted identifier: "…" or U&"…".
	QuotedIdent
	// Param is a positional parameter: $1, $2, ….
	Param
	// Word is a keyword or an unquoted identifier (which may hold $ after
	// its first character: a$b is one word).
	Word
	// Number is a numeric constant: 42, 3.14, .5, 1e10, 0x1F, 1_000.
	Number
	// Cast is the :: of a type cast.
	Cast
	// Semicolon is a ; (a statement separator outside parentheses).
	Semicolon
	// Punct is any other byte, one token per byte: operators and
	// punctuation such as ( ) , . ? : @ + and a $ that starts nothing.
	Punct
)

var kindNames = [...]string{
	Space: "space", Comment: "comment", String: "string", DollarString: "dollar-quoted string",
	QuotedIdent: "quoted identifier", Param: "parameter", Word: "word", Number: "number",
	Cast: "cast", Semicolon: "semicolon", Punct: "punctuation",
}

// String returns the kind's name in English ("dollar-quoted string").
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "invalid kind"
}

// Literal reports whether the kind is a constant whose text is data:
// String, DollarString or Number.
func (k Kind) Literal() bool { return k == String || k == DollarString || k == Number }

// Blank reports whether the kind is whitespace or a comment, which
// PostgreSQL reads as a token separator only.
func (k Kind) Blank() bool { return k == Space || k == Comment }
