package sqlb

// SquirrelSqlizer is a sqlb statement as squirrel sees it: its ToSql
// renders the statement with ? placeholders, as squirrel's Sqlizer
// expects, so it can be nested in a squirrel builder or expression, which
// numbers the placeholders itself:
//
//	sub := sqlb.Select("id").From("users").Where(sqlb.Eq("team_id", 7))
//	sq.Select("*").From("orders").Where(sq.Expr("user_id IN (?)", sub.Squirrel())).
//		PlaceholderFormat(sq.Dollar).ToSql()
//
// sqlb's statement builders have no ToSql of their own, only ToSQL ($n
// placeholders, ready for PostgreSQL), so the ? form is never one letter
// away; ask for it with a builder's Squirrel method. Inside sqlb a
// SquirrelSqlizer nests exactly like the builder it wraps. The zero value
// renders an ErrIncomplete.
type SquirrelSqlizer struct{ stmt appender }

// ToSql returns the statement with ? placeholders (squirrel's Sqlizer).
func (s SquirrelSqlizer) ToSql() (string, []any, error) { return render(s, false, 256) } //nolint:revive // squirrel.Sqlizer

func (s SquirrelSqlizer) appendSQL(w *writer) error {
	if s.stmt == nil {
		return errorf("SquirrelSqlizer", ErrIncomplete, "no statement (make one with a builder's Squirrel method)")
	}
	return s.stmt.appendSQL(w)
}

// Squirrel returns the statement as a squirrel Sqlizer (? placeholders),
// for nesting in squirrel.
func (b SelectBuilder) Squirrel() SquirrelSqlizer { return SquirrelSqlizer{b} }

// Squirrel returns the statement as a squirrel Sqlizer (? placeholders),
// for nesting in squirrel (a data-modifying CTE, for example).
func (b InsertBuilder) Squirrel() SquirrelSqlizer { return SquirrelSqlizer{b} }

// Squirrel returns the statement as a squirrel Sqlizer (? placeholders),
// for nesting in squirrel.
func (b UpdateBuilder) Squirrel() SquirrelSqlizer { return SquirrelSqlizer{b} }

// Squirrel returns the statement as a squirrel Sqlizer (? placeholders),
// for nesting in squirrel.
func (b DeleteBuilder) Squirrel() SquirrelSqlizer { return SquirrelSqlizer{b} }

// subquery turns what sqlb accepts as a nested query — one of its
// statement builders, its squirrel view, a Raw expression or any other
// squirrel Sqlizer — into a Sqlizer; a builder is wrapped in its squirrel
// view, which still writes itself natively. ok is false for anything else.
func subquery(v any) (Sqlizer, bool) {
	switch x := v.(type) {
	case Sqlizer:
		return x, true
	case SelectBuilder, InsertBuilder, UpdateBuilder, DeleteBuilder:
		return SquirrelSqlizer{x.(appender)}, true
	}
	return nil, false
}

// subqueryError is the error of a value subquery refused.
func subqueryError(op string, v any) error {
	if v == nil {
		return errorf(op, ErrInvalidValue, "nil query")
	}
	return errorf(op, ErrInvalidValue, "want a sqlb statement, Raw or a squirrel Sqlizer, got %T", v)
}
