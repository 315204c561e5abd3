package sqlb

import "strconv"

// SelectBuilder builds a SELECT statement. It is an immutable value: every
// method returns a new builder and leaves the receiver untouched, so a base
// query can be shared and extended safely (also across goroutines).
//
// Identifiers given as strings are qualified names, quoted as
// QuoteQualified does; methods whose name ends in Raw take trusted SQL.
type SelectBuilder struct {
	ctes       []cte
	distinct   bool
	distinctOn []string
	cols       []part
	from       []part
	joins      []joinClause
	where      []Sqlizer
	groupBy    []part
	having     []Sqlizer
	order      []orderItem
	limit      any
	offset     any
	locks      []lockClause
	page       *pageSpec
	tieBreak   []string
	err        error
}

type orderItem struct {
	key    SortKey
	quoted string
	raw    Sqlizer
}

type joinClause struct {
	kind  string
	table part
	on    Sqlizer
}

// Select starts a SELECT of the given columns (qualified names; `*` and
// `t.*` allowed). Add expressions with Column or ColumnRaw.
func Select(cols ...string) SelectBuilder {
	return SelectBuilder{}.Columns(cols...)
}

func (b SelectBuilder) fail(err error) SelectBuilder {
	if b.err == nil {
		b.err = err
	}
	return b
}

// Err returns the first error recorded by a builder call, if any.
func (b SelectBuilder) Err() error { return b.err }

// Columns adds result columns by name.
func (b SelectBuilder) Columns(cols ...string) SelectBuilder {
	if len(cols) == 0 {
		return b
	}
	parts := make([]part, len(b.cols), len(b.cols)+len(cols))
	copy(parts, b.cols)
	for _, c := range cols {
		q, err := quoteQualified(c, true)
		if err != nil {
			return b.fail(wrapOp("Select.Columns("+quoteForMsg(c)+")", err))
		}
		parts = append(parts, part{text: q})
	}
	b.cols = parts
	return b
}

// Column adds one result column: a name (string), an aliased expression
// (As), or any Sqlizer such as a scalar subquery (written in parentheses).
func (b SelectBuilder) Column(expr any) SelectBuilder {
	p, err := toPart("Select.Column", expr, true)
	if err != nil {
		return b.fail(err)
	}
	b.cols = appendCow(b.cols, p)
	return b
}

// ColumnRaw adds a trusted SQL expression as a result column, for example
// ColumnRaw("count(*) AS n"). Never build it from user input.
func (b SelectBuilder) ColumnRaw(sql string, args ...any) SelectBuilder {
	b.cols = appendCow(b.cols, part{x: Expr{sql: sql, args: args, op: "Select.ColumnRaw"}})
	return b
}

// Distinct makes it SELECT DISTINCT.
func (b SelectBuilder) Distinct() SelectBuilder { b.distinct = true; return b }

// DistinctOn makes it SELECT DISTINCT ON (cols).
func (b SelectBuilder) DistinctOn(cols ...string) SelectBuilder {
	out := appendCow(b.distinctOn)
	for _, c := range cols {
		q, err := quoteQualified(c, false)
		if err != nil {
			return b.fail(wrapOp("Select.DistinctOn("+quoteForMsg(c)+")", err))
		}
		out = append(out, q)
	}
	b.distinctOn = out
	return b
}

// From sets the FROM list: each table is a qualified name (string), As(name
// or subquery, alias), or a Sqlizer (a subquery, written in parentheses;
// PostgreSQL before 16 needs an alias, so prefer As). Calling From again
// replaces the list.
func (b SelectBuilder) From(tables ...any) SelectBuilder {
	b.from = nil
	for _, t := range tables {
		p, err := toPart("Select.From", t, false)
		if err != nil {
			return b.fail(err)
		}
		b.from = append(b.from, p)
	}
	if len(tables) == 0 {
		return b.fail(errorf("Select.From", ErrEmptyTable, "no table"))
	}
	return b
}

// FromRaw sets a trusted SQL FROM clause, such as a set-returning function
// call: FromRaw("generate_series(1, ?) AS g(n)", 10).
func (b SelectBuilder) FromRaw(sql string, args ...any) SelectBuilder {
	b.from = []part{{x: Expr{sql: sql, args: args, op: "Select.FromRaw"}}}
	return b
}

func (b SelectBuilder) join(kind, op string, table any, on Sqlizer) SelectBuilder {
	p, err := toPart("Select."+op, table, false)
	if err != nil {
		return b.fail(err)
	}
	if on == nil && kind != "CROSS JOIN " {
		return b.fail(errorf("Select."+op, ErrInvalidValue, "nil join condition"))
	}
	b.joins = appendCow(b.joins, joinClause{kind: kind, table: p, on: on})
	return b
}

// Join adds an INNER JOIN table ON cond. table is a name, As(…) or a
// subquery; cond is typically On("o.user_id", "u.id") or any condition.
func (b SelectBuilder) Join(table any, on Sqlizer) SelectBuilder {
	return b.join("JOIN ", "Join", table, on)
}

// LeftJoin adds a LEFT JOIN table ON cond.
func (b SelectBuilder) LeftJoin(table any, on Sqlizer) SelectBuilder {
	return b.join("LEFT JOIN ", "LeftJoin", table, on)
}

// RightJoin adds a RIGHT JOIN table ON cond.
func (b SelectBuilder) RightJoin(table any, on Sqlizer) SelectBuilder {
	return b.join("RIGHT JOIN ", "RightJoin", table, on)
}

// FullJoin adds a FULL JOIN table ON cond.
func (b SelectBuilder) FullJoin(table any, on Sqlizer) SelectBuilder {
	return b.join("FULL JOIN ", "FullJoin", table, on)
}

// CrossJoin adds a CROSS JOIN table.
func (b SelectBuilder) CrossJoin(table any) SelectBuilder {
	return b.join("CROSS JOIN ", "CrossJoin", table, nil)
}

// JoinRaw adds a trusted join clause written in full, such as
// "LEFT JOIN LATERAL (…) AS x ON true".
func (b SelectBuilder) JoinRaw(sql string, args ...any) SelectBuilder {
	b.joins = appendCow(b.joins, joinClause{table: part{x: Expr{sql: sql, args: args, op: "Select.JoinRaw"}}})
	return b
}

// Where adds conditions, ANDed with those already present. Nil conditions
// are ignored. Squirrel conditions (sq.Eq, sq.Expr, …) are accepted too.
func (b SelectBuilder) Where(conds ...Sqlizer) SelectBuilder {
	b.where = appendConds(b.where, conds)
	return b
}

// WhereRaw adds a trusted SQL condition with ? placeholders. It is put in
// parentheses, so an OR inside cannot escape.
func (b SelectBuilder) WhereRaw(sql string, args ...any) SelectBuilder {
	b.where = appendCow(b.where, Sqlizer(Expr{sql: sql, args: args, op: "Select.WhereRaw"}))
	return b
}

// WhereNamed adds a trusted SQL condition with :name or @name parameters
// bound from params (a map[string]any or a struct); see RawNamed.
func (b SelectBuilder) WhereNamed(sql string, params any) SelectBuilder {
	e := RawNamed(sql, params)
	e.op = "Select.WhereNamed"
	b.where = appendCow(b.where, Sqlizer(e))
	return b
}

func appendConds(dst, conds []Sqlizer) []Sqlizer {
	n := 0
	for _, c := range conds {
		if c != nil {
			n++
		}
	}
	if n == 0 {
		return dst
	}
	out := make([]Sqlizer, len(dst), len(dst)+n)
	copy(out, dst)
	for _, c := range conds {
		if c != nil {
			out = append(out, c)
		}
	}
	return out
}

// GroupBy adds GROUP BY columns.
func (b SelectBuilder) GroupBy(cols ...string) SelectBuilder {
	out := appendCow(b.groupBy)
	for _, c := range cols {
		q, err := quoteQualified(c, false)
		if err != nil {
			return b.fail(wrapOp("Select.GroupBy("+quoteForMsg(c)+")", err))
		}
		out = append(out, part{text: q})
	}
	b.groupBy = out
	return b
}

// GroupByRaw adds a trusted GROUP BY expression.
func (b SelectBuilder) GroupByRaw(sql string, args ...any) SelectBuilder {
	b.groupBy = appendCow(b.groupBy, part{x: Expr{sql: sql, args: args, op: "Select.GroupByRaw"}})
	return b
}

// Having adds HAVING conditions, ANDed.
func (b SelectBuilder) Having(conds ...Sqlizer) SelectBuilder {
	b.having = appendConds(b.having, conds)
	return b
}

// HavingRaw adds a trusted HAVING condition, in parentheses.
func (b SelectBuilder) HavingRaw(sql string, args ...any) SelectBuilder {
	b.having = appendCow(b.having, Sqlizer(Expr{sql: sql, args: args, op: "Select.HavingRaw"}))
	return b
}

// OrderBy adds ORDER BY keys (Asc, Desc). Columns are quoted and directions
// are not text, so keys built from user input (see ParseSort) are safe.
func (b SelectBuilder) OrderBy(keys ...SortKey) SelectBuilder {
	out := appendCow(b.order)
	for _, k := range keys {
		q, err := quoteQualified(k.Column, false)
		if err != nil {
			return b.fail(wrapOp("Select.OrderBy("+quoteForMsg(k.Column)+")", err))
		}
		out = append(out, orderItem{key: k, quoted: q})
	}
	b.order = out
	return b
}

// OrderByRaw adds a trusted ORDER BY expression, such as
// OrderByRaw("similarity(name, ?) DESC", q). Keyset pagination needs plain
// OrderBy keys and rejects raw ones.
func (b SelectBuilder) OrderByRaw(sql string, args ...any) SelectBuilder {
	b.order = appendCow(b.order, orderItem{raw: Expr{sql: sql, args: args, op: "Select.OrderByRaw"}})
	return b
}

// Limit sets LIMIT, bound as a parameter so the statement text does not
// change with n. A negative n is an error.
func (b SelectBuilder) Limit(n int64) SelectBuilder {
	if n < 0 {
		return b.fail(errorf("Select.Limit("+strconv.FormatInt(n, 10)+")", ErrInvalidValue, "negative limit"))
	}
	b.limit = n
	return b
}

// Offset sets OFFSET, bound as a parameter. A negative n is an error.
func (b SelectBuilder) Offset(n int64) SelectBuilder {
	if n < 0 {
		return b.fail(errorf("Select.Offset("+strconv.FormatInt(n, 10)+")", ErrInvalidValue, "negative offset"))
	}
	b.offset = n
	return b
}

// With adds a common table expression: WITH name [(cols)] AS (q), where
// q is a query: a sqlb statement builder, a Raw expression or a squirrel
// Sqlizer.
func (b SelectBuilder) With(name string, q any, cols ...string) SelectBuilder {
	c, err := newCTE("Select.With("+quoteForMsg(name)+")", name, q, cols, false)
	if err != nil {
		return b.fail(err)
	}
	b.ctes = appendCow(b.ctes, c)
	return b
}

// WithRecursive adds a recursive common table expression (WITH RECURSIVE).
func (b SelectBuilder) WithRecursive(name string, q any, cols ...string) SelectBuilder {
	c, err := newCTE("Select.WithRecursive("+quoteForMsg(name)+")", name, q, cols, true)
	if err != nil {
		return b.fail(err)
	}
	b.ctes = appendCow(b.ctes, c)
	return b
}

func (b SelectBuilder) lock(strength string, opts []LockOption) SelectBuilder {
	l := newLock(strength, opts)
	if l.err != nil {
		return b.fail(l.err)
	}
	b.locks = appendCow(b.locks, l)
	return b
}

// ForUpdate adds FOR UPDATE, with options NoWait, SkipLocked, Of(tables).
func (b SelectBuilder) ForUpdate(opts ...LockOption) SelectBuilder { return b.lock("UPDATE", opts) }

// ForNoKeyUpdate adds FOR NO KEY UPDATE.
func (b SelectBuilder) ForNoKeyUpdate(opts ...LockOption) SelectBuilder {
	return b.lock("NO KEY UPDATE", opts)
}

// ForShare adds FOR SHARE.
func (b SelectBuilder) ForShare(opts ...LockOption) SelectBuilder { return b.lock("SHARE", opts) }

// ForKeyShare adds FOR KEY SHARE.
func (b SelectBuilder) ForKeyShare(opts ...LockOption) SelectBuilder {
	return b.lock("KEY SHARE", opts)
}

// Scope is a reusable modification of a select builder, such as a tenant
// filter or a date range. Apply scopes with Scopes.
type Scope func(SelectBuilder) SelectBuilder

// Scopes applies scopes in order. Nil scopes are skipped.
func (b SelectBuilder) Scopes(scopes ...Scope) SelectBuilder {
	for _, s := range scopes {
		if s != nil {
			b = s(b)
		}
	}
	return b
}

// ToSQL returns the statement with $n placeholders, numbered once across
// the whole statement including subqueries and CTEs.
func (b SelectBuilder) ToSQL() (string, []any, error) { return render(b, true, 256) }

func (b SelectBuilder) appendSQL(w *writer) error {
	if b.err != nil {
		return b.err
	}
	if len(b.cols) == 0 {
		return errorf("Select", ErrIncomplete, "no result columns")
	}
	if err := appendWith(w, b.ctes); err != nil {
		return err
	}
	keys, err := b.pageKeys()
	if err != nil {
		return err
	}
	if b.page != nil && b.page.before {
		// Read the page backwards, then restore the original order.
		w.str("SELECT * FROM (")
		if err := b.appendCore(w, keys, true); err != nil {
			return err
		}
		w.str(") AS \"sqlb_page\" ORDER BY ")
		for i, k := range keys {
			if i > 0 {
				w.str(", ")
			}
			k.key.appendSQL(w, quoteIdent(lastPart(k.key.Column)))
		}
		return nil
	}
	return b.appendCore(w, keys, false)
}

func (b SelectBuilder) appendCore(w *writer, keys []orderItem, reverse bool) error {
	w.str("SELECT ")
	if len(b.distinctOn) > 0 {
		w.str("DISTINCT ON (")
		w.list(b.distinctOn)
		w.str(") ")
	} else if b.distinct {
		w.str("DISTINCT ")
	}
	if err := appendParts(w, b.cols, true); err != nil {
		return err
	}
	if len(b.from) > 0 {
		w.str(" FROM ")
		if err := appendParts(w, b.from, true); err != nil {
			return err
		}
	}
	for _, j := range b.joins {
		w.buf = append(w.buf, ' ')
		w.str(j.kind)
		if err := j.table.appendSQL(w, true); err != nil {
			return err
		}
		if j.on != nil {
			w.str(" ON ")
			if err := w.expr(j.on); err != nil {
				return err
			}
		}
	}
	var pageCond Sqlizer
	if b.page != nil && len(b.page.cursor.Values) > 0 {
		pageCond = keysetCond(keys, b.page.cursor.Values, b.page.before)
	}
	if err := appendWhere(w, " WHERE ", b.where, pageCond); err != nil {
		return err
	}
	if len(b.groupBy) > 0 {
		w.str(" GROUP BY ")
		if err := appendParts(w, b.groupBy, false); err != nil {
			return err
		}
	}
	if err := appendWhere(w, " HAVING ", b.having, nil); err != nil {
		return err
	}
	order := b.order
	if keys != nil {
		order = keys
	}
	if len(order) > 0 {
		w.str(" ORDER BY ")
		for i, o := range order {
			if i > 0 {
				w.str(", ")
			}
			if o.raw != nil {
				if err := w.expr(o.raw); err != nil {
					return err
				}
				continue
			}
			k := o.key
			if reverse {
				k = k.Reverse()
			}
			k.appendSQL(w, o.quoted)
		}
	}
	if b.limit != nil {
		w.str(" LIMIT ")
		w.param(b.limit)
	}
	if b.offset != nil {
		w.str(" OFFSET ")
		w.param(b.offset)
	}
	for _, l := range b.locks {
		l.appendSQL(w)
	}
	return nil
}

// appendWhere writes conditions ANDed after kw; non-atomic ones in
// parentheses.
func appendWhere(w *writer, kw string, conds []Sqlizer, extra Sqlizer) error {
	if len(conds) == 0 && extra == nil {
		return nil
	}
	w.str(kw)
	for i, c := range conds {
		if i > 0 {
			w.str(" AND ")
		}
		if err := w.cond(c); err != nil {
			return err
		}
	}
	if extra != nil {
		if len(conds) > 0 {
			w.str(" AND ")
		}
		return w.cond(extra)
	}
	return nil
}
