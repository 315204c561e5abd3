package sqlb

import (
	"sort"
	"strconv"
	"sync/atomic"
)

// InsertBuilder builds an INSERT statement. Like SelectBuilder it is an
// immutable value: a builder derived from another never sees what is added
// to a sibling. Adding rows with Values or Rows is amortized O(1) per row,
// so a multi-row insert built one row at a time costs time linear in its
// rows.
type InsertBuilder struct {
	ctes  []cte
	table string // quoted, with alias
	cols  []string
	rows  [][]any
	// rowsTip counts the slots of rows' backing array some builder has
	// claimed. A builder appends in place only when it holds every claimed
	// slot (len(rows) == *rowsTip) and wins the claim of the next ones, so
	// siblings never write into each other's rows; otherwise it copies.
	rowsTip   *atomic.Int64
	query     Sqlizer
	defaults  bool
	conflict  *Conflict
	action    ConflictAction
	returning []part
	err       error
}

// Insert starts an INSERT INTO table (a qualified name).
func Insert(table string) InsertBuilder {
	b := InsertBuilder{}
	if table == "" {
		b.err = errorf("Insert(\"\")", ErrEmptyTable, "empty table name")
		return b
	}
	q, err := quoteQualified(table, false)
	if err != nil {
		b.err = wrapOp("Insert("+quoteForMsg(table)+")", err)
	}
	b.table = q
	return b
}

func (b InsertBuilder) fail(err error) InsertBuilder {
	if b.err == nil {
		b.err = err
	}
	return b
}

// Err returns the first error recorded by a builder call, if any.
func (b InsertBuilder) Err() error { return b.err }

// Columns adds target columns.
func (b InsertBuilder) Columns(cols ...string) InsertBuilder {
	out := appendCow(b.cols)
	for _, c := range cols {
		if err := checkIdent(c); err != nil {
			return b.fail(wrapOp("Insert.Columns("+quoteForMsg(c)+")", err))
		}
		out = append(out, quoteIdent(c))
	}
	b.cols = out
	return b
}

// Values adds one row. Call it again for a multi-row insert (each call is
// amortized O(1): earlier rows are not copied); every row must have one
// value per column. A Sqlizer value is inlined (Raw("now()"), a scalar
// subquery in parentheses), and Default writes the DEFAULT keyword. The
// values slice is kept, not copied: do not change it before the statement
// is built.
func (b InsertBuilder) Values(values ...any) InsertBuilder {
	if err := checkRow("Insert.Values", len(b.rows)+1, values); err != nil {
		return b.fail(err)
	}
	return b.appendRows([][]any{values})
}

// Rows adds many rows at once, each with one value per column, as if
// Values were called for each: the bulk form for building a large
// multi-row insert from data already in hand. The row slices are kept, not
// copied: do not change them before the statement is built.
func (b InsertBuilder) Rows(rows [][]any) InsertBuilder {
	for i, row := range rows {
		if err := checkRow("Insert.Rows", len(b.rows)+i+1, row); err != nil {
			return b.fail(err)
		}
	}
	if len(rows) == 0 {
		return b
	}
	return b.appendRows(rows)
}

func checkRow(op string, n int, row []any) error {
	for i, v := range row {
		if _, ok := v.(DefaultKeyword); ok {
			continue
		}
		if err := checkValue(v); err != nil {
			return wrapOp(op+"(row "+strconv.Itoa(n)+", value "+strconv.Itoa(i+1)+")", err)
		}
	}
	return nil
}

// appendRows appends add to b's rows in place when b holds the last claim
// on their backing array and it has room, else into a new array of twice
// the size (amortized O(1) per row either way; a sibling pays one copy).
func (b InsertBuilder) appendRows(add [][]any) InsertBuilder {
	n := len(b.rows)
	if b.rowsTip != nil && cap(b.rows)-n >= len(add) && b.rowsTip.CompareAndSwap(int64(n), int64(n+len(add))) {
		b.rows = append(b.rows, add...) // slots n… are ours alone: the claim above
		return b
	}
	rows := make([][]any, n, max(2*(n+len(add)), 4))
	copy(rows, b.rows)
	rows = append(rows, add...)
	b.rows = rows
	b.rowsTip = new(atomic.Int64)
	b.rowsTip.Store(int64(len(b.rows)))
	return b
}

// SetMap adds columns and one row of values from a map, in sorted column
// order. Use it alone, not with Columns/Values.
func (b InsertBuilder) SetMap(m map[string]any) InsertBuilder {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	vals := make([]any, len(keys))
	for i, k := range keys {
		vals[i] = m[k]
	}
	return b.Columns(keys...).Values(vals...)
}

// Select makes it INSERT … SELECT: the rows come from q, a query (a sqlb
// SelectBuilder, a Raw expression or a squirrel Sqlizer).
func (b InsertBuilder) Select(q any) InsertBuilder {
	s, ok := subquery(q)
	if !ok {
		return b.fail(subqueryError("Insert.Select", q))
	}
	b.query = s
	return b
}

// DefaultValues makes it INSERT … DEFAULT VALUES.
func (b InsertBuilder) DefaultValues() InsertBuilder { b.defaults = true; return b }

// OnConflict adds ON CONFLICT target action, for example
// OnConflict(ConflictOn("email"), DoUpdate().SetExcluded("name")) or
// OnConflict(AnyConflict(), DoNothing()).
func (b InsertBuilder) OnConflict(target Conflict, action ConflictAction) InsertBuilder {
	b.conflict = &target
	b.action = action
	return b
}

// Returning adds RETURNING columns (names; `*` allowed).
func (b InsertBuilder) Returning(cols ...string) InsertBuilder {
	r, err := appendReturning(b.returning, "Insert.Returning", cols)
	if err != nil {
		return b.fail(err)
	}
	b.returning = r
	return b
}

// ReturningRaw adds a trusted RETURNING expression.
func (b InsertBuilder) ReturningRaw(sql string, args ...any) InsertBuilder {
	b.returning = appendCow(b.returning, part{x: Expr{sql: sql, args: args, op: "Insert.ReturningRaw"}})
	return b
}

// With adds a common table expression.
func (b InsertBuilder) With(name string, q any, cols ...string) InsertBuilder {
	c, err := newCTE("Insert.With("+quoteForMsg(name)+")", name, q, cols, false)
	if err != nil {
		return b.fail(err)
	}
	b.ctes = appendCow(b.ctes, c)
	return b
}

// ToSQL returns the statement with $n placeholders.
func (b InsertBuilder) ToSQL() (string, []any, error) {
	if len(b.rows) < 2 {
		return render(b, true, 256)
	}
	// A multi-row insert: size the text and the arguments once, so a large
	// batch does not pay for repeated growth.
	per := len(b.rows[0])
	w := writer{dollar: true, buf: make([]byte, 0, 256+len(b.rows)*(per*9+4)), args: make([]any, 0, len(b.rows)*per)}
	return renderInto(b, &w)
}

func (b InsertBuilder) appendSQL(w *writer) error {
	if b.err != nil {
		return b.err
	}
	if err := appendWith(w, b.ctes); err != nil {
		return err
	}
	w.str("INSERT INTO ")
	w.str(b.table)
	if len(b.cols) > 0 {
		w.str(" (")
		w.list(b.cols)
		w.buf = append(w.buf, ')')
	}
	switch {
	case b.query != nil:
		if len(b.rows) > 0 {
			return errorf("Insert.Select", ErrIncomplete, "both Values and Select")
		}
		w.buf = append(w.buf, ' ')
		if err := w.expr(b.query); err != nil {
			return err
		}
	case b.defaults:
		if len(b.rows) > 0 || len(b.cols) > 0 {
			return errorf("Insert.DefaultValues", ErrIncomplete, "DefaultValues with columns or values")
		}
		w.str(" DEFAULT VALUES")
	default:
		if len(b.rows) == 0 {
			return errorf("Insert", ErrIncomplete, "no values")
		}
		w.str(" VALUES ")
		for r, row := range b.rows {
			if len(b.cols) > 0 && len(row) != len(b.cols) {
				return errorf("Insert.Values(row "+strconv.Itoa(r+1)+")", ErrColumnCount, "%d values for %d columns", len(row), len(b.cols))
			}
			if len(b.cols) == 0 && len(row) != len(b.rows[0]) {
				return errorf("Insert.Values(row "+strconv.Itoa(r+1)+")", ErrColumnCount, "%d values, row 1 has %d", len(row), len(b.rows[0]))
			}
			if r > 0 {
				w.str(", ")
			}
			w.buf = append(w.buf, '(')
			for i, v := range row {
				if i > 0 {
					w.str(", ")
				}
				if _, ok := v.(DefaultKeyword); ok {
					w.str("DEFAULT")
					continue
				}
				if err := w.value(v); err != nil {
					return err
				}
			}
			w.buf = append(w.buf, ')')
		}
	}
	if b.conflict != nil {
		if err := appendConflict(w, *b.conflict, b.action); err != nil {
			return err
		}
	}
	return appendReturningSQL(w, b.returning)
}

// DefaultKeyword is the type of Default.
type DefaultKeyword struct{}

// Default stands for the DEFAULT keyword in a VALUES row of Insert (Values,
// Rows): the column takes its default for that row, for example
// Insert("t").Columns("a", "b").Values(1, Default). Anywhere else (a
// condition, a SET, a Raw argument) it is an ErrInvalidValue.
var Default DefaultKeyword

func appendReturning(dst []part, op string, cols []string) ([]part, error) {
	out := appendCow(dst)
	for _, c := range cols {
		q, err := quoteQualified(c, true)
		if err != nil {
			return nil, wrapOp(op+"("+quoteForMsg(c)+")", err)
		}
		out = append(out, part{text: q})
	}
	return out, nil
}

func appendReturningSQL(w *writer, r []part) error {
	if len(r) == 0 {
		return nil
	}
	w.str(" RETURNING ")
	return appendParts(w, r, true)
}
