package repo

import (
	"context"

	"github.com/normkit/norm/sqlb"
)

// allRows is the explicit opt-in to a condition-less UpdateWhere or
// DeleteWhere.
type allRows struct{}

// ToSql renders TRUE.
func (allRows) ToSql() (string, []any, error) { return "TRUE", nil, nil } //nolint:revive // squirrel.Sqlizer

// AllRows is a condition that matches every row. UpdateWhere and
// DeleteWhere refuse to run without a condition; pass AllRows() to mean
// it.
func AllRows() sqlb.Sqlizer { return allRows{} }

func hasConds(conds []sqlb.Sqlizer) bool {
	for _, c := range conds {
		if c != nil {
			return true
		}
	}
	return false
}

// UpdateWhere sets columns (validated against the model like
// UpdateFields) on every row matching conds in the soft-delete view (live
// rows by default, every row WithTrashed, soft-deleted ones OnlyTrashed)
// and returns how many rows changed. on_update columns are set and versions bumped. With no
// condition it refuses (ErrInvalid) unless conds holds AllRows(). The
// changed rows' cache keys are invalidated. Hooks do not run.
func (r *Repository[T]) UpdateWhere(ctx context.Context, set map[string]any, conds ...sqlb.Sqlizer) (int64, error) {
	if err := r.usable("UpdateWhere"); err != nil {
		return 0, err
	}
	if r.wrapNotify(ctx) {
		return notifyingN(ctx, r, "UpdateWhere", func(w *Repository[T]) (int64, error) { return w.UpdateWhere(ctx, set, conds...) })
	}
	const op = "UpdateWhere"
	if !hasConds(conds) {
		return 0, errorf(op, r.table(), ErrInvalid, "no condition; pass repo.AllRows() to update every row")
	}
	cols, err := r.checkSet(op, set)
	if err != nil {
		return 0, err
	}
	if err := r.checkConds(op, conds); err != nil {
		return 0, err
	}
	b := sqlb.Update(r.mt.table)
	for _, c := range cols {
		b = b.Set(c, set[c])
	}
	b = r.maintain(b).Where(conds...)
	if c := r.mt.scope(r.trash, scopeColumn); c != nil {
		b = b.Where(c)
	}
	return r.bulkWrite(ctx, op, b.Returning(r.pkCols()...))
}

// DeleteWhere deletes every live row matching conds — a soft delete
// (setting the soft-delete column) for a soft-delete model — and returns
// how many. Already soft-deleted rows are never matched, whatever the view
// (use PurgeTrashed or HardDelete to remove trash). With no condition it
// refuses unless conds holds AllRows().
// Hooks do not run; versions are not checked.
func (r *Repository[T]) DeleteWhere(ctx context.Context, conds ...sqlb.Sqlizer) (int64, error) {
	if err := r.usable("DeleteWhere"); err != nil {
		return 0, err
	}
	if r.wrapNotify(ctx) {
		return notifyingN(ctx, r, "DeleteWhere", func(w *Repository[T]) (int64, error) { return w.DeleteWhere(ctx, conds...) })
	}
	const op = "DeleteWhere"
	if !hasConds(conds) {
		return 0, errorf(op, r.table(), ErrInvalid, "no condition; pass repo.AllRows() to delete every row")
	}
	if err := r.checkConds(op, conds); err != nil {
		return 0, err
	}
	if sd := r.mt.m.SoftDelete; sd != nil {
		b := sqlb.Update(r.mt.table).Set(sd.Column, r.cfg.now())
		if ver := r.mt.m.Version; ver != nil {
			b = b.Set(ver.Column, sqlb.Raw(ver.Quoted()+" + 1"))
		}
		b = b.Where(conds...).Where(sqlb.IsNull(sd.Quoted()))
		return r.bulkWrite(ctx, op, b.Returning(r.pkCols()...))
	}
	b := sqlb.Delete(r.mt.table).Where(conds...)
	return r.bulkWrite(ctx, op, b.Returning(r.pkCols()...))
}

// checkConds checks the column names of conds against the model (see
// Query.Where).
func (r *Repository[T]) checkConds(op string, conds []sqlb.Sqlizer) error {
	for _, c := range conds {
		if err := r.mt.checkCond("Where", c); err != nil {
			return errorf(op, r.table(), ErrInvalid, "%v", err)
		}
	}
	return nil
}

func (r *Repository[T]) pkCols() []string {
	cols := make([]string, len(r.mt.m.PK))
	for i, f := range r.mt.m.PK {
		cols[i] = f.Quoted()
	}
	return cols
}

// bulkWrite runs a statement RETURNING the primary key of each changed
// row, invalidates their cache keys and returns the count.
func (r *Repository[T]) bulkWrite(ctx context.Context, op string, b sqlStatement) (int64, error) {
	sql, args, err := b.ToSQL()
	if err != nil {
		return 0, wrapErr(op, r.table(), err)
	}
	rows, err := r.q.Query(ctx, sql, args...)
	if err != nil {
		return 0, wrapErr(op, r.table(), err)
	}
	defer rows.Close()
	var keys [][]any
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return 0, wrapErr(op, r.table(), err)
		}
		keys = append(keys, vals)
	}
	if err := rows.Err(); err != nil {
		return 0, wrapErr(op, r.table(), err)
	}
	r.invalidate(ctx, keys...)
	return int64(len(keys)), nil
}
