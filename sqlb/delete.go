package sqlb

// DeleteBuilder builds a DELETE statement. It is an immutable value. A
// DELETE without WHERE is refused unless All is called.
type DeleteBuilder struct {
	ctes      []cte
	table     part
	using     []part
	where     []Sqlizer
	all       bool
	returning []part
	err       error
}

// Delete starts a DELETE FROM table: a qualified name or As(name, alias).
func Delete(table any) DeleteBuilder {
	b := DeleteBuilder{}
	if table == "" {
		b.err = errorf("Delete(\"\")", ErrEmptyTable, "empty table name")
		return b
	}
	p, err := toPart("Delete", table, false)
	b.table, b.err = p, err
	return b
}

func (b DeleteBuilder) fail(err error) DeleteBuilder {
	if b.err == nil {
		b.err = err
	}
	return b
}

// Err returns the first error recorded by a builder call, if any.
func (b DeleteBuilder) Err() error { return b.err }

// Using adds DELETE … USING tables (names, As(…), subqueries).
func (b DeleteBuilder) Using(tables ...any) DeleteBuilder {
	out := appendCow(b.using)
	for _, t := range tables {
		p, err := toPart("Delete.Using", t, false)
		if err != nil {
			return b.fail(err)
		}
		out = append(out, p)
	}
	b.using = out
	return b
}

// Where adds conditions, ANDed.
func (b DeleteBuilder) Where(conds ...Sqlizer) DeleteBuilder {
	b.where = appendConds(b.where, conds)
	return b
}

// WhereRaw adds a trusted SQL condition, in parentheses.
func (b DeleteBuilder) WhereRaw(sql string, args ...any) DeleteBuilder {
	b.where = appendCow(b.where, Sqlizer(Expr{sql: sql, args: args, op: "Delete.WhereRaw"}))
	return b
}

// WhereNamed adds a trusted SQL condition with named parameters.
func (b DeleteBuilder) WhereNamed(sql string, params any) DeleteBuilder {
	e := RawNamed(sql, params)
	e.op = "Delete.WhereNamed"
	b.where = appendCow(b.where, Sqlizer(e))
	return b
}

// All allows the statement to have no WHERE clause (delete every row).
func (b DeleteBuilder) All() DeleteBuilder { b.all = true; return b }

// Returning adds RETURNING columns.
func (b DeleteBuilder) Returning(cols ...string) DeleteBuilder {
	r, err := appendReturning(b.returning, "Delete.Returning", cols)
	if err != nil {
		return b.fail(err)
	}
	b.returning = r
	return b
}

// ReturningRaw adds a trusted RETURNING expression.
func (b DeleteBuilder) ReturningRaw(sql string, args ...any) DeleteBuilder {
	b.returning = appendCow(b.returning, part{x: Expr{sql: sql, args: args, op: "Delete.ReturningRaw"}})
	return b
}

// With adds a common table expression.
func (b DeleteBuilder) With(name string, q any, cols ...string) DeleteBuilder {
	c, err := newCTE("Delete.With("+quoteForMsg(name)+")", name, q, cols, false)
	if err != nil {
		return b.fail(err)
	}
	b.ctes = appendCow(b.ctes, c)
	return b
}

// ToSQL returns the statement with $n placeholders.
func (b DeleteBuilder) ToSQL() (string, []any, error) { return render(b, true, 128) }

func (b DeleteBuilder) appendSQL(w *writer) error {
	if b.err != nil {
		return b.err
	}
	if len(b.where) == 0 && !b.all {
		return errorf("Delete", ErrIncomplete, "no WHERE; call All() to delete every row")
	}
	if err := appendWith(w, b.ctes); err != nil {
		return err
	}
	w.str("DELETE FROM ")
	if err := b.table.appendSQL(w, false); err != nil {
		return err
	}
	if len(b.using) > 0 {
		w.str(" USING ")
		if err := appendParts(w, b.using, true); err != nil {
			return err
		}
	}
	if err := appendWhere(w, " WHERE ", b.where, nil); err != nil {
		return err
	}
	return appendReturningSQL(w, b.returning)
}
