package sqlb

// parseNamed as it was before sqlb used internal/sqllex, on the old lexer
// (oldlexer_test.go): the reference of FuzzNamedOldVsNew.
func oldParseNamed(sql string) (string, []string, error) {
	var out []byte
	var names []string
	start := 0
	for i := 0; i < len(sql); i++ {
		c := sql[i]
		switch c {
		case '?':
			if i+1 < len(sql) && sql[i+1] == '?' {
				i++
				continue
			}
			return "", nil, oldLexError("bare ? in a named-parameter fragment; write ?? for a literal ?")
		case ':':
			if i+1 < len(sql) && sql[i+1] == ':' {
				i++ // a ::type cast
				continue
			}
			if i > 0 && (oldIsIdentChar(sql[i-1]) || sql[i-1] == ']') {
				continue // a:b, arr[1:n]: not a parameter
			}
		case '@':
			if i+1 < len(sql) && sql[i+1] == '@' {
				i++
				continue
			}
			if i > 0 && (sql[i-1] == '<' || sql[i-1] == '@' || oldIsIdentChar(sql[i-1])) {
				continue
			}
		default:
			if oldMayStartLexeme(c) {
				if c == '$' && oldPositionalAt(sql, i) {
					return "", nil, oldLexError("positional parameter in a named-parameter fragment")
				}
				j, ok, err := oldSkipLexeme(sql, i)
				if err != nil {
					return "", nil, err
				}
				if ok {
					i = j - 1
				}
			}
			continue
		}
		// c is ':' or '@' that may start a name.
		j := i + 1
		if j >= len(sql) || !oldIsIdentStart(sql[j]) {
			continue
		}
		for j < len(sql) && oldIsIdentChar(sql[j]) {
			j++
		}
		if out == nil {
			out = make([]byte, 0, len(sql))
		}
		out = append(out, sql[start:i]...)
		out = append(out, '?')
		names = append(names, sql[i+1:j])
		start = j
		i = j - 1
	}
	if out == nil {
		return sql, nil, nil
	}
	out = append(out, sql[start:]...)
	return string(out), names, nil
}
