package sqlb

import "sort"

// UpdateBuilder builds an UPDATE statement. It is an immutable value.
// An UPDATE without WHERE is refused unless All is called.
type UpdateBuilder struct {
	ctes      []cte
	table     part
	sets      []setItem
	from      []part
	where     []Sqlizer
	all       bool
	returning []part
	err       error
}

// Update starts an UPDATE of table: a qualified name or As(name, alias).
func Update(table any) UpdateBuilder {
	b := UpdateBuilder{}
	if table == "" {
		b.err = errorf("Update(\"\")", ErrEmptyTable, "empty table name")
		return b
	}
	p, err := toPart("Update", table, false)
	b.table, b.err = p, err
	return b
}

func (b UpdateBuilder) fail(err error) UpdateBuilder {
	if b.err == nil {
		b.err = err
	}
	return b
}

// Err returns the first error recorded by a builder call, if any.
func (b UpdateBuilder) Err() error { return b.err }

// Set assigns col = v. v is a value (a parameter), Col(…) for another
// column, or a Sqlizer (Raw("n + 1"), a scalar subquery in parentheses).
func (b UpdateBuilder) Set(col string, v any) UpdateBuilder {
	if err := checkIdent(col); err != nil {
		return b.fail(wrapOp("Update.Set("+quoteForMsg(col)+")", err))
	}
	if err := checkValue(v); err != nil {
		return b.fail(wrapOp("Update.Set("+quoteForMsg(col)+")", err))
	}
	b.sets = appendCow(b.sets, setItem{col: quoteIdent(col), v: v})
	return b
}

// SetMap assigns every column of m, in sorted column order.
func (b UpdateBuilder) SetMap(m map[string]any) UpdateBuilder {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b = b.Set(k, m[k])
	}
	return b
}

// From adds UPDATE … FROM tables (names, As(…), subqueries).
func (b UpdateBuilder) From(tables ...any) UpdateBuilder {
	out := appendCow(b.from)
	for _, t := range tables {
		p, err := toPart("Update.From", t, false)
		if err != nil {
			return b.fail(err)
		}
		out = append(out, p)
	}
	b.from = out
	return b
}

// Where adds conditions, ANDed.
func (b UpdateBuilder) Where(conds ...Sqlizer) UpdateBuilder {
	b.where = appendConds(b.where, conds)
	return b
}

// WhereRaw adds a trusted SQL condition, in parentheses.
func (b UpdateBuilder) WhereRaw(sql string, args ...any) UpdateBuilder {
	b.where = appendCow(b.where, Sqlizer(Expr{sql: sql, args: args, op: "Update.WhereRaw"}))
	return b
}

// WhereNamed adds a trusted SQL condition with named parameters.
func (b UpdateBuilder) WhereNamed(sql string, params any) UpdateBuilder {
	e := RawNamed(sql, params)
	e.op = "Update.WhereNamed"
	b.where = appendCow(b.where, Sqlizer(e))
	return b
}

// All allows the statement to have no WHERE clause (update every row).
func (b UpdateBuilder) All() UpdateBuilder { b.all = true; return b }

// Returning adds RETURNING columns.
func (b UpdateBuilder) Returning(cols ...string) UpdateBuilder {
	r, err := appendReturning(b.returning, "Update.Returning", cols)
	if err != nil {
		return b.fail(err)
	}
	b.returning = r
	return b
}

// ReturningRaw adds a trusted RETURNING expression.
func (b UpdateBuilder) ReturningRaw(sql string, args ...any) UpdateBuilder {
	b.returning = appendCow(b.returning, part{x: Expr{sql: sql, args: args, op: "Update.ReturningRaw"}})
	return b
}

// With adds a common table expression.
func (b UpdateBuilder) With(name string, q any, cols ...string) UpdateBuilder {
	c, err := newCTE("Update.With("+quoteForMsg(name)+")", name, q, cols, false)
	if err != nil {
		return b.fail(err)
	}
	b.ctes = appendCow(b.ctes, c)
	return b
}

// ToSQL returns the statement with $n placeholders.
func (b UpdateBuilder) ToSQL() (string, []any, error) { return render(b, true, 256) }

func (b UpdateBuilder) appendSQL(w *writer) error {
	if b.err != nil {
		return b.err
	}
	if len(b.sets) == 0 {
		return errorf("Update", ErrIncomplete, "no Set")
	}
	if len(b.where) == 0 && !b.all {
		return errorf("Update", ErrIncomplete, "no WHERE; call All() to update every row")
	}
	if err := appendWith(w, b.ctes); err != nil {
		return err
	}
	w.str("UPDATE ")
	if err := b.table.appendSQL(w, false); err != nil {
		return err
	}
	w.str(" SET ")
	if err := appendSets(w, b.sets); err != nil {
		return err
	}
	if len(b.from) > 0 {
		w.str(" FROM ")
		if err := appendParts(w, b.from, true); err != nil {
			return err
		}
	}
	if err := appendWhere(w, " WHERE ", b.where, nil); err != nil {
		return err
	}
	return appendReturningSQL(w, b.returning)
}
