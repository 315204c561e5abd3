package sqlb

// CondColumns returns the columns a condition names, each as its unquoted
// name parts with the column last: ["email"], ["u", "email"],
// ["public", "users", "email"]. It looks into the conditions sqlb builds
// from column names — Eq, Ne, Gt, Ge, Lt, Le, Like, NotLike, ILike,
// NotILike, IsNull, NotNull, Between, In, NotIn, On, a Col value compared
// with a column, and And, Or and Not around them — so that a caller who
// knows the table (a repository) can check the names before any SQL is
// sent. It does not look into trusted SQL (Raw, RawNamed), into
// subqueries (In with a subquery, Exists: another scope) or into foreign
// Sqlizers; those name no column here. A condition that failed to build
// names no column either: rendering it reports its own error.
func CondColumns(c Sqlizer) [][]string {
	return appendCondColumns(nil, c)
}

func appendCondColumns(dst [][]string, c Sqlizer) [][]string {
	switch x := c.(type) {
	case cmp:
		if x.err != nil {
			return dst
		}
		dst = appendQuotedColumn(dst, x.col)
		if id, ok := x.v.(Ident); ok && id.err == nil {
			dst = appendQuotedColumn(dst, id.quoted)
		}
	case nullCheck:
		if x.err == nil {
			dst = appendQuotedColumn(dst, x.col)
		}
	case between:
		if x.err == nil {
			dst = appendQuotedColumn(dst, x.col)
		}
	case in:
		if x.err == nil {
			dst = appendQuotedColumn(dst, x.col)
		}
	case junction:
		for _, sub := range x.conds {
			dst = appendCondColumns(dst, sub)
		}
	case not:
		dst = appendCondColumns(dst, x.c)
	}
	return dst
}

// appendQuotedColumn appends the parts of a name quoted by quoteQualified
// (a `t.*` star is not a column and is skipped).
func appendQuotedColumn(dst [][]string, quoted string) [][]string {
	var parts []string
	star := false
	err := parseQualified(quoted, func(p string, q bool) {
		parts = append(parts, p)
		star = p == "*" && !q
	})
	if err != nil || star {
		return dst
	}
	return append(dst, parts)
}
