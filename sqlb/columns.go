package sqlb

// CondColumns calls fn with each column a condition names, quoted as the
// condition writes it: `"email"`, `"u"."email"`, `"public"."users"."email"`
// (SplitQualified gives the unquoted parts). It looks into the conditions
// sqlb builds from column names — Eq, Ne, Gt, Ge, Lt, Le, Like, NotLike,
// ILike, NotILike, IsNull, NotNull, Between, In, NotIn, On, a Col value
// compared with a column, and And, Or and Not around them — so that a
// caller who knows the table (a repository) can check the names before
// any SQL is sent. It does not look into trusted SQL (Raw, RawNamed), into
// subqueries (In with a subquery, Exists: another scope) or into foreign
// Sqlizers; those name no column here, and neither does a `t.*` value or
// a condition that failed to build (rendering it reports its own error).
// fn is not retained.
func CondColumns(c Sqlizer, fn func(quoted string)) {
	switch x := c.(type) {
	case cmp:
		if x.err != nil {
			return
		}
		fn(x.col)
		if id, ok := x.v.(Ident); ok && id.err == nil && !isStar(id.quoted) {
			fn(id.quoted)
		}
	case nullCheck:
		if x.err == nil {
			fn(x.col)
		}
	case between:
		if x.err == nil {
			fn(x.col)
		}
	case in:
		if x.err == nil {
			fn(x.col)
		}
	case junction:
		for _, sub := range x.conds {
			CondColumns(sub, fn)
		}
	case not:
		CondColumns(x.c, fn)
	}
}

// isStar reports whether a name quoted by quoteQualified ends in an
// unquoted `*` (t.*), which names no column.
func isStar(quoted string) bool {
	return quoted == "*" || len(quoted) > 1 && quoted[len(quoted)-1] == '*' && quoted[len(quoted)-2] == '.'
}
