package pool

import (
	"strings"

	"github.com/normkit/norm/internal/sqllex"
)

type tokKind uint8

const (
	tokWord      tokKind = iota // unquoted identifier or keyword, lowercased
	tokOther                    // literal, quoted identifier, parameter, operator
	tokOpen                     // (
	tokClose                    // )
	tokComma                    // ,
	tokSemicolon                // ;
)

type token struct {
	kind tokKind
	word string // lowercased text, tokWord only
}

// scanner reduces the tokens of norm's SQL lexer (internal/sqllex) to the
// few kinds classification needs; comments and whitespace are dropped.
// String literals, quoted identifiers and dollar quotes are single
// tokens, so their contents never count as keywords. It never fails: an
// unterminated construct runs to the end of the text.
type scanner struct {
	lx  sqllex.Scanner
	src string
}

func newScanner(src string) scanner { return scanner{lx: sqllex.New(src), src: src} }

func (s *scanner) next() (token, bool) {
	for {
		t, ok := s.lx.Next()
		if !ok {
			return token{}, false
		}
		switch t.Kind {
		case sqllex.Space, sqllex.Comment:
			continue
		case sqllex.Word:
			return token{kind: tokWord, word: strings.ToLower(s.src[t.Start:t.End])}, true
		case sqllex.Semicolon:
			return token{kind: tokSemicolon}, true
		case sqllex.Punct:
			switch s.src[t.Start] {
			case '(':
				return token{kind: tokOpen}, true
			case ')':
				return token{kind: tokClose}, true
			case ',':
				return token{kind: tokComma}, true
			}
		}
		return token{kind: tokOther}, true
	}
}
