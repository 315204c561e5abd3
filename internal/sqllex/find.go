package sqllex

// Find returns the next token that a caller looking for placeholders
// cares about: a String, DollarString, QuotedIdent, Comment or Param, or
// a Punct whose byte is in stop. It passes over every other token
// (whitespace, words, numbers, casts, semicolons, other punctuation)
// without returning it, in one tight loop: it is Next with those tokens
// dropped, several times faster on text that is mostly code. ok is false
// at the end of the text.
func (s *Scanner) Find(stop string) (tok Token, ok bool) {
	var set [4]uint64 // the bytes of stop
	for j := 0; j < len(stop); j++ {
		set[stop[j]>>6] |= 1 << (stop[j] & 63)
	}
	in := func(c byte) bool { return set[c>>6]&(1<<(c&63)) != 0 }
	src := s.src
	i := s.pos
	for i < len(src) {
		c := src[i]
		k := classes[c]
		switch {
		case k&cSpace != 0:
			i = skip(src, i+1, cSpace)
		case k&cStart != 0:
			j := skip(src, i+1, cPart)
			if j-i == 1 && (at(src, j) == '\'' || at(src, j) == '&') {
				// Maybe a prefixed literal (E'…', U&"…"): let Next decide.
				s.pos = i
				if tok, _ := s.Next(); tok.Kind != Word {
					return tok, true
				}
				j = s.pos
			}
			i = j
		case k&cDigit != 0 || (c == '.' && isDigit(at(src, i+1))):
			i = numberEnd(src, i)
		case c == ':' && at(src, i+1) == ':':
			i += 2 // a Cast
		case c == ';':
			i++ // a Semicolon
		case c == '\'':
			open := s.quoted(i+1, '\'', s.Backslashes)
			return Token{Kind: String, Start: i, End: s.pos, Unterminated: open}, true
		case c == '"':
			open := s.quoted(i+1, '"', false)
			return Token{Kind: QuotedIdent, Start: i, End: s.pos, Unterminated: open}, true
		case c == '-' && at(src, i+1) == '-', c == '/' && at(src, i+1) == '*':
			s.pos = i
			return s.Next()
		case c == '$':
			kind, open := s.dollar(i)
			if kind != Punct || in(c) {
				return Token{Kind: kind, Start: i, End: s.pos, Unterminated: open}, true
			}
			i = s.pos
		case in(c):
			s.pos = i + 1
			return Token{Kind: Punct, Start: i, End: i + 1}, true
		default:
			i++
		}
	}
	s.pos = len(src)
	return Token{}, false
}
