package sqlb

// Expr is a trusted SQL fragment with ? placeholders, made by Raw or
// RawNamed. It is a Sqlizer, so it can be used as a condition, a column, a
// value or a whole statement.
type Expr struct {
	sql  string
	args []any
	op   string
	err  error
}

// Raw returns a trusted SQL fragment. The text is not quoted or checked:
// never build it from user input. Each ? outside literals, quoted
// identifiers, dollar-quoted bodies and comments binds the next argument;
// ?? stands for a literal ? (for the jsonb operators ?, ?| and ?&). An
// argument that is itself a Sqlizer (a subquery, a condition) is expanded in
// place, as with squirrel.Expr.
func Raw(sql string, args ...any) Expr {
	return Expr{sql: sql, args: args, op: "Raw"}
}

// ToSql returns the fragment with ? placeholders, for nesting (squirrel's
// Sqlizer).
func (e Expr) ToSql() (string, []any, error) { return render(e, false, len(e.sql)+8) } //nolint:revive // squirrel.Sqlizer

// ToSQL returns the fragment as a complete statement with $n placeholders.
func (e Expr) ToSQL() (string, []any, error) { return render(e, true, len(e.sql)+8) }

func (e Expr) appendSQL(w *writer) error {
	if e.err != nil {
		return e.err
	}
	if err := w.appendFragment(e.sql, e.args); err != nil {
		return wrapOp(e.op+"("+quoteForMsg(e.sql)+")", err)
	}
	return nil
}

// Ident is a quoted identifier reference (a column or table), made by Col.
type Ident struct {
	quoted string
	err    error
}

// Col names a column (or any identifier) for use where a value is
// expected, for example comparing two columns: Eq("o.user_id",
// Col("u.id")). The name is a qualified name, quoted as QuoteQualified
// does; `t.*` is allowed.
func Col(name string) Ident {
	q, err := quoteQualified(name, true)
	if err != nil {
		err = wrapOp("Col("+quoteForMsg(name)+")", err)
	}
	return Ident{quoted: q, err: err}
}

// ToSql returns the quoted identifier.
func (i Ident) ToSql() (string, []any, error) { return i.quoted, nil, i.err } //nolint:revive // squirrel.Sqlizer

func (i Ident) appendSQL(w *writer) error {
	if i.err != nil {
		return i.err
	}
	w.str(i.quoted)
	return nil
}

func (Ident) atomic() {}

// Aliased is an expression or table with an alias, made by As.
type Aliased struct {
	x     part
	alias string
	err   error
}

// As gives x an alias: As("users", "u") is "users" AS "u"; As(subquery,
// "s") is (SELECT …) AS "s"; As(Raw("count(*)"), "n") is count(*) AS
// "n". x is a qualified name (string) or a Sqlizer. Use it in Column, From,
// the join methods, Update and Delete. A Raw expression is written as is,
// a subquery in parentheses.
func As(x any, alias string) Aliased {
	op := "As(" + quoteForMsg(alias) + ")"
	p, err := toPart(op, x, false)
	if err == nil {
		if e := checkIdent(alias); e != nil {
			err = wrapOp(op, e)
		}
	}
	return Aliased{x: p, alias: alias, err: err}
}

// ToSql renders the aliased expression with ? placeholders.
func (a Aliased) ToSql() (string, []any, error) { return render(a, false, 32) } //nolint:revive // squirrel.Sqlizer

func (a Aliased) appendSQL(w *writer) error {
	if a.err != nil {
		return a.err
	}
	if err := a.x.appendSQL(w, true); err != nil {
		return err
	}
	w.str(" AS ")
	w.buf = appendIdent(w.buf, a.alias)
	return nil
}

// part is a piece of a statement: pre-rendered text (a quoted identifier)
// or a Sqlizer.
type part struct {
	text string
	x    Sqlizer
}

// toPart turns a table or column argument into a part: a string is a
// qualified name; an Aliased, Ident or other Sqlizer is kept.
func toPart(op string, v any, allowStar bool) (part, error) {
	switch x := v.(type) {
	case string:
		q, err := quoteQualified(x, allowStar)
		if err != nil {
			return part{}, wrapOp(op, err)
		}
		return part{text: q}, nil
	case Ident:
		if x.err != nil {
			return part{}, x.err
		}
		return part{text: x.quoted}, nil
	case nil:
		return part{}, errorf(op, ErrInvalidValue, "nil table or column")
	}
	if s, ok := subquery(v); ok {
		return part{x: s}, nil
	}
	return part{}, errorf(op, ErrInvalidValue, "want a name (string), a sqlb statement or a Sqlizer, got %T", v)
}

// appendSQL writes the part; a Sqlizer other than an alias or identifier is
// wrapped in parentheses when paren is true (a subquery in FROM).
func (p part) appendSQL(w *writer, paren bool) error {
	if p.x == nil {
		w.str(p.text)
		return nil
	}
	switch p.x.(type) {
	case Aliased, Ident, Expr:
		paren = false // raw fragments are written as given
	}
	if paren {
		w.buf = append(w.buf, '(')
	}
	if err := w.expr(p.x); err != nil {
		return err
	}
	if paren {
		w.buf = append(w.buf, ')')
	}
	return nil
}

func appendParts(w *writer, parts []part, paren bool) error {
	for i, p := range parts {
		if i > 0 {
			w.str(", ")
		}
		if err := p.appendSQL(w, paren); err != nil {
			return err
		}
	}
	return nil
}

// appendCow appends to a slice that may be shared with other builder
// values: it never writes into spare capacity, so builders stay immutable.
func appendCow[T any](s []T, v ...T) []T {
	out := make([]T, len(s), len(s)+len(v))
	copy(out, s)
	return append(out, v...)
}
