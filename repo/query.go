package repo

import (
	"context"
	"fmt"

	"github.com/normkit/norm/sqlb"
)

// Query is a typed SELECT over the repository's table: sqlb's select
// pre-scoped to the table and, for a soft-delete model, to live rows (the
// scope names the column with its table, so joins stay unambiguous). It
// can build its SQL (Builder) or run itself (Find, First, Last, Count,
// Exists, Delete, Page, Cursor). Queries are immutable values: every method
// returns a new one, so a base query can be shared and extended.
type Query[T any] struct {
	r      *Repository[T]
	conds  []sqlb.Sqlizer
	scopes []sqlb.Scope // joins and other clauses that Delete cannot take
	order  []sqlb.SortKey
	limit  int64
	offset int64
	lock   sqlb.Scope
	trash  trashMode
	// bad is the first invalid argument given (a negative Limit or
	// Offset); the query refuses to run with it.
	bad error
}

// Query starts a typed query over the repository's table. On a
// Repository that New did not build, the query's every run returns
// ErrMisuse.
func (r *Repository[T]) Query() Query[T] {
	q := Query[T]{r: r, limit: -1, offset: -1}
	if r != nil {
		q.trash = r.trash
	}
	return q
}

// Where adds conditions (ANDed). Columns may be qualified with the table
// name, which a query with joins needs. Column names are checked against
// the model (see the package documentation, "Column names"): a bare name
// that is not a column of T, such as sqlb.Eq("emial", x), makes the query
// fail with ErrInvalid naming it when it runs, with nothing sent; a column
// of another table must be qualified (a.name).
func (q Query[T]) Where(conds ...sqlb.Sqlizer) Query[T] {
	if q.bad == nil && q.r != nil && q.r.mt != nil {
		for _, c := range conds {
			if err := q.r.mt.checkCond("Where", c); err != nil {
				q.bad = err
				break
			}
		}
	}
	q.conds = append(q.conds[:len(q.conds):len(q.conds)], conds...)
	return q
}

// WhereRaw adds a trusted SQL condition with ? placeholders. Never build
// sql from user input. Its column names are not checked.
func (q Query[T]) WhereRaw(sql string, args ...any) Query[T] {
	return q.Where(sqlb.Raw(sql, args...))
}

// WhereNamed adds a trusted SQL condition with named parameters, :name or
// @name, bound from params — a map with string keys or a struct whose
// fields are matched by column name as model tags map them — as
// sqlb.RawNamed does: WhereNamed("score > :min AND team_id = :team",
// map[string]any{"min": 10, "team": t}). A name used twice binds one
// parameter; a name with no value makes the query fail when it runs with
// sqlb.ErrMissingParam, nothing sent. Never build sql from user input; its
// column names are not checked.
func (q Query[T]) WhereNamed(sql string, params any) Query[T] {
	return q.Where(sqlb.RawNamed(sql, params))
}

// Join adds an inner join (see sqlb.SelectBuilder.Join). The selected
// columns stay those of T.
func (q Query[T]) Join(table any, on sqlb.Sqlizer) Query[T] {
	return q.Scopes(func(b sqlb.SelectBuilder) sqlb.SelectBuilder { return b.Join(table, on) })
}

// LeftJoin adds a left join.
func (q Query[T]) LeftJoin(table any, on sqlb.Sqlizer) Query[T] {
	return q.Scopes(func(b sqlb.SelectBuilder) sqlb.SelectBuilder { return b.LeftJoin(table, on) })
}

// Scopes applies sqlb scopes (reusable clauses) to the SELECT.
func (q Query[T]) Scopes(scopes ...sqlb.Scope) Query[T] {
	q.scopes = append(q.scopes[:len(q.scopes):len(q.scopes)], scopes...)
	return q
}

// OrderBy sets the sort keys (replacing earlier ones). Without keys, First
// and Last and pages order by the primary key. Columns are checked as
// Where's are: OrderBy(sqlb.Asc("naem")) makes the query fail with
// ErrInvalid naming "naem", nothing sent.
func (q Query[T]) OrderBy(keys ...sqlb.SortKey) Query[T] {
	if q.bad == nil && q.r != nil && q.r.mt != nil {
		q.bad = q.r.mt.checkSort("OrderBy", keys)
	}
	q.order = append([]sqlb.SortKey(nil), keys...)
	return q
}

// Limit caps the number of rows. A negative n is refused: the query
// then fails with ErrInvalid, naming the value, when it runs (as sqlb's
// Limit does).
func (q Query[T]) Limit(n int64) Query[T] {
	if n < 0 {
		return q.invalid("Limit(%d): a limit must be >= 0", n)
	}
	q.limit = n
	return q
}

// Offset skips n rows. A negative n is refused: the query then fails with
// ErrInvalid, naming the value, when it runs (as sqlb's Offset does).
func (q Query[T]) Offset(n int64) Query[T] {
	if n < 0 {
		return q.invalid("Offset(%d): an offset must be >= 0", n)
	}
	q.offset = n
	return q
}

// invalid records the first invalid argument; the query refuses to run.
func (q Query[T]) invalid(format string, args ...any) Query[T] {
	if q.bad == nil {
		q.bad = fmt.Errorf(format, args...)
	}
	return q
}

// check returns why the query cannot run as op: a Repository that New did
// not build (ErrMisuse) or an invalid argument (ErrInvalid).
func (q Query[T]) check(op string) error {
	if err := q.r.usable(op); err != nil {
		return err
	}
	if q.bad != nil {
		return errorf(op, q.r.table(), ErrInvalid, "%v", q.bad)
	}
	return nil
}

// ForUpdate locks the selected rows (FOR UPDATE OF the table); only
// meaningful inside a transaction.
func (q Query[T]) ForUpdate(opts ...sqlb.LockOption) Query[T] {
	r := q.r // read when the query is built, which checks r first
	q.lock = func(b sqlb.SelectBuilder) sqlb.SelectBuilder {
		return b.ForUpdate(append([]sqlb.LockOption{sqlb.Of(r.mt.table)}, opts...)...)
	}
	return q
}

// WithTrashed makes the query include soft-deleted rows.
func (q Query[T]) WithTrashed() Query[T] { q.trash = withTrashed; return q }

// OnlyTrashed makes the query see soft-deleted rows only.
func (q Query[T]) OnlyTrashed() Query[T] { q.trash = onlyTrashed; return q }

// base is SELECT <cols> FROM table with scopes, conditions and the
// soft-delete scope, without order, limit or lock.
func (q Query[T]) base(cols ...string) sqlb.SelectBuilder {
	b := sqlb.Select(cols...).From(q.r.mt.table)
	for _, s := range q.scopes {
		b = s(b)
	}
	b = b.Where(q.conds...)
	if c := q.r.mt.scope(q.trash, scopeQuery); c != nil {
		b = b.Where(c)
	}
	return b
}

// Builder returns the sqlb SELECT this query runs: T's columns, qualified
// with the table, plus order, limit, offset and lock. For a query that
// cannot run (see Limit, Offset, ErrMisuse) it returns a builder whose
// ToSQL fails with the reason.
func (q Query[T]) Builder() sqlb.SelectBuilder {
	if err := q.check("Query.Builder"); err != nil {
		return sqlb.Select("*").Where(failing{err})
	}
	b := q.base(q.r.mt.qcols...).OrderBy(q.order...)
	if q.limit >= 0 {
		b = b.Limit(q.limit)
	}
	if q.offset >= 0 {
		b = b.Offset(q.offset)
	}
	if q.lock != nil {
		b = q.lock(b)
	}
	return b
}

// ToSQL returns the SQL and arguments Find would run.
func (q Query[T]) ToSQL() (string, []any, error) {
	if err := q.check("Query.ToSQL"); err != nil {
		return "", nil, err
	}
	return q.Builder().ToSQL()
}

// Find runs the query and returns every row.
func (q Query[T]) Find(ctx context.Context) ([]T, error) { return q.run(ctx, "Find") }

func (q Query[T]) run(ctx context.Context, op string) ([]T, error) {
	if err := q.check(op); err != nil {
		return nil, err
	}
	return q.runBuilder(ctx, op, q.Builder())
}

func (q Query[T]) runBuilder(ctx context.Context, op string, b sqlb.SelectBuilder) ([]T, error) {
	sql, args, err := b.ToSQL()
	if err != nil {
		return nil, wrapErr(op, q.r.table(), err)
	}
	return q.r.queryRows(ctx, op, sql, args)
}

// pkOrder returns the query's sort keys, or the primary key ascending.
func (q Query[T]) pkOrder() []sqlb.SortKey {
	if len(q.order) > 0 {
		return q.order
	}
	keys := make([]sqlb.SortKey, len(q.r.mt.m.PK))
	for i, f := range q.r.mt.m.PK {
		keys[i] = sqlb.Asc(q.r.mt.table + "." + f.Quoted())
	}
	return keys
}

// First returns the first row in the query's order (the primary key when
// none is given); ErrNotFound when there is none.
func (q Query[T]) First(ctx context.Context) (*T, error) {
	if err := q.check("First"); err != nil {
		return nil, err
	}
	return q.one(ctx, "First", q.pkOrder())
}

// Last returns the last row in the query's order: every sort key is
// reversed (direction and NULLS placement), so multi-column orders stay
// correct. ErrNotFound when there is none.
func (q Query[T]) Last(ctx context.Context) (*T, error) {
	if err := q.check("Last"); err != nil {
		return nil, err
	}
	keys := q.pkOrder()
	rev := make([]sqlb.SortKey, len(keys))
	for i, k := range keys {
		rev[i] = k.Reverse()
	}
	return q.one(ctx, "Last", rev)
}

func (q Query[T]) one(ctx context.Context, op string, keys []sqlb.SortKey) (*T, error) {
	q.order = keys
	q.limit = 1
	items, err := q.run(ctx, op)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, wrapErr(op, q.r.table(), ErrNotFound)
	}
	return &items[0], nil
}

// Count returns the number of rows the query matches (ignoring order,
// limit and offset).
func (q Query[T]) Count(ctx context.Context) (int64, error) {
	const op = "Count"
	if err := q.check(op); err != nil {
		return 0, err
	}
	sql, args, err := q.base().ColumnRaw("count(*)").ToSQL()
	if err != nil {
		return 0, wrapErr(op, q.r.table(), err)
	}
	var n int64
	if err := q.r.q.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
		return 0, wrapErr(op, q.r.table(), err)
	}
	return n, nil
}

// Exists reports whether the query matches at least one row.
func (q Query[T]) Exists(ctx context.Context) (bool, error) {
	const op = "Exists"
	if err := q.check(op); err != nil {
		return false, err
	}
	sub := q.base().ColumnRaw("1")
	sql, args, err := sqlb.Select().ColumnRaw("EXISTS (?)", sub).ToSQL()
	if err != nil {
		return false, wrapErr(op, q.r.table(), err)
	}
	var ok bool
	if err := q.r.q.QueryRow(ctx, sql, args...).Scan(&ok); err != nil {
		return false, wrapErr(op, q.r.table(), err)
	}
	return ok, nil
}

// Delete deletes the rows the query matches (soft delete for a
// soft-delete model, see Repository.DeleteWhere) and returns how many. A
// query without conditions is refused unless it holds AllRows(); joins and
// other scopes are refused, and so are Limit and Offset (Delete would
// remove every matching row, not the ones they select).
func (q Query[T]) Delete(ctx context.Context) (int64, error) {
	const op = "Query.Delete"
	if err := q.check(op); err != nil {
		return 0, err
	}
	if len(q.scopes) > 0 {
		return 0, errorf(op, q.r.table(), ErrInvalid, "a query with joins or scopes cannot delete")
	}
	if q.limit >= 0 || q.offset >= 0 {
		return 0, errorf(op, q.r.table(), ErrInvalid, "a query with Limit or Offset cannot delete: it would delete every matching row")
	}
	return q.r.DeleteWhere(ctx, q.conds...)
}
