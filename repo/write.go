package repo

import (
	"context"
	"reflect"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/normkit/norm/sqlb"
)

// Create inserts v and fills the primary key, defaults it left out and
// generated columns back into v (RETURNING). A field with a default: tag
// that holds its Go zero value (false, 0, "", the zero time, a nil
// pointer, an invalid sql.Null*) is left out so the column default
// applies, and read back (sqlb.Field.LeftToDefault); every other writable
// field is written as it is. To store an explicit zero in a defaulted
// column, make the field a pointer or a Null type. BeforeCreate/AfterCreate
// hooks run in the same transaction. Constraint violations are
// *ConstraintError.
func (r *Repository[T]) Create(ctx context.Context, v *T) error {
	if err := r.usable("Create"); err != nil {
		return err
	}
	if r.wrapNotify(ctx) {
		return r.notifying(ctx, "Create", func(w *Repository[T]) error { return w.Create(ctx, v) })
	}
	const op = "Create"
	if v == nil {
		return errorf(op, r.table(), ErrInvalid, "nil entity")
	}
	var err error
	if r.mt.hooks.create() {
		err = r.inTx(ctx, op, func(ctx context.Context, q Querier) error { return r.create(ctx, q, v) })
	} else {
		err = r.create(ctx, r.q, v)
	}
	if err != nil {
		return err
	}
	r.observe(ctx, "create", v)
	return nil
}

func (r *Repository[T]) create(ctx context.Context, q Querier, v *T) error {
	const op = "Create"
	if err := callHook(ctx, v, hookBeforeCreate); err != nil {
		return wrapErr(op+": BeforeCreate", r.table(), err)
	}
	st := sqlb.InsertStruct(v)
	if err := r.execStruct(ctx, q, op, st, v); err != nil {
		return err
	}
	if err := callHook(ctx, v, hookAfterCreate); err != nil {
		return wrapErr(op+": AfterCreate", r.table(), err)
	}
	return nil
}

// execStruct runs a struct statement, scanning its RETURNING columns into
// v. ErrNoRows (zero rows affected) is returned unwrapped for the caller to
// interpret.
func (r *Repository[T]) execStruct(ctx context.Context, q Querier, op string, st sqlb.Statement, v *T) error {
	sql, args, err := st.ToSQL()
	if err != nil {
		return wrapErr(op, r.table(), err)
	}
	return r.execReturning(ctx, q, op, sql, args, st.Returning(), reflect.ValueOf(v).Elem())
}

// execReturning runs sql, scanning the columns of its RETURNING clause
// (ret, none: an Exec) into rv. ErrNoRows (zero rows affected) is returned
// unwrapped for the caller to interpret.
func (r *Repository[T]) execReturning(ctx context.Context, q Querier, op, sql string, args []any, ret []*sqlb.Field, rv reflect.Value) error {
	if len(ret) == 0 {
		tag, err := q.Exec(ctx, sql, args...)
		if err != nil {
			return wrapErr(op, r.table(), err)
		}
		if tag.RowsAffected() == 0 {
			return pgx.ErrNoRows
		}
		return nil
	}
	var buf [16]any
	dest := destFields(ret, rv, buf[:0])
	if err := q.QueryRow(ctx, sql, args...).Scan(dest...); err != nil {
		if isNotFound(err) {
			return pgx.ErrNoRows
		}
		return wrapErr(op, r.table(), err)
	}
	return nil
}

// Update writes every writable non-key column of v by primary key, sets
// on_update columns to their expression, and refreshes version, on_update
// and generated columns in v (RETURNING). For a versioned model it adds
// WHERE version = v's version and bumps it: ErrStale when the row exists
// with another version, ErrNotFound when it does not exist.
//
// For a soft-delete model Update follows the view like a read: by default
// it adds WHERE deleted_at IS NULL, so a soft-deleted row is left exactly
// as it is and the call returns ErrNotFound (for a versioned model too: a
// soft-deleted row is not found, never stale). WithTrashed().Update writes
// the row whatever its state; OnlyTrashed().Update only a soft-deleted
// one. Update never writes the soft-delete column: it reads it back into
// v, so only Delete and Restore (with their hooks and audit records) move
// a row in or out of the trash. When no row is written, no After hook runs, nothing is
// invalidated or audited, and v keeps its values (and whatever a
// BeforeUpdate hook set).
func (r *Repository[T]) Update(ctx context.Context, v *T) error {
	if err := r.usable("Update"); err != nil {
		return err
	}
	if r.wrapNotify(ctx) {
		return r.notifying(ctx, "Update", func(w *Repository[T]) error { return w.Update(ctx, v) })
	}
	const op = "Update"
	if v == nil {
		return errorf(op, r.table(), ErrInvalid, "nil entity")
	}
	if len(r.mt.m.PK) == 0 {
		return errorf(op, r.table(), ErrInvalid, "%s has no primary key", r.mt.m.Name)
	}
	if r.mt.update[liveOnly] == nil {
		return errorf(op, r.table(), ErrInvalid, "%s has no column to update", r.mt.m.Name)
	}
	// With an auditor, the statement also returns the row as it was
	// before (see sqlb.ReturningBefore), so the record lists what changed.
	var before *T
	if r.cfg.auditor != nil {
		before = new(T)
	}
	var err error
	if r.mt.hooks.update() {
		err = r.inTx(ctx, op, func(ctx context.Context, q Querier) error { return r.update(ctx, q, v, before) })
	} else {
		err = r.update(ctx, r.q, v, before)
	}
	if err != nil {
		return err
	}
	r.observeUpdate(ctx, reflect.ValueOf(v).Elem(), before, v)
	return nil
}

// update runs the update by key; with before non-nil it runs the audited
// statement and fills before with the row as it was.
func (r *Repository[T]) update(ctx context.Context, q Querier, v, before *T) error {
	const op = "Update"
	if err := callHook(ctx, v, hookBeforeUpdate); err != nil {
		return wrapErr(op+": BeforeUpdate", r.table(), err)
	}
	rv := reflect.ValueOf(v).Elem()
	var err error
	if before == nil {
		st := r.mt.update[r.trash]
		err = r.execReturning(ctx, q, op, st.SQL(), bind(st, rv), st.Returning(), rv)
	} else {
		err = r.updateAudited(ctx, q, rv, before)
	}
	if isNotFound(err) {
		return r.missing(ctx, q, op, r.mt.keyOf(rv))
	}
	if err != nil {
		return err
	}
	if err := callHook(ctx, v, hookAfterUpdate); err != nil {
		return wrapErr(op+": AfterUpdate", r.table(), err)
	}
	return nil
}

// updateAudited runs the update by key that also returns the row before
// into before.
func (r *Repository[T]) updateAudited(ctx context.Context, q Querier, rv reflect.Value, before *T) error {
	const op = "Update"
	st := r.mt.updAudit[r.trash]
	ret := st.Returning()
	dest := destFields(ret, rv, make([]any, 0, len(ret)+len(r.mt.m.Fields)))
	dest = append(dest, destAll(r.mt.m, reflect.ValueOf(before).Elem(), nil)...)
	if err := q.QueryRow(ctx, st.SQL(), bind(st, rv)...).Scan(dest...); err != nil {
		if isNotFound(err) {
			return pgx.ErrNoRows
		}
		return wrapErr(op, r.table(), err)
	}
	return nil
}

// UpdateFields updates the given columns of the row with primary key id
// (a plain value or a Key) and returns the stored row. Column names are
// checked against the model: an unknown, key, identity or read-only column
// is an error naming it, and nothing is sent. on_update columns are set.
// For a versioned model fields must hold the version column with the
// version the caller read: the row is updated only at that version (else
// ErrStale) and the version is bumped. For a soft-delete model the view
// applies as for Update: a soft-deleted row is left as it is and the call
// returns ErrNotFound (never ErrStale), unless the view is WithTrashed
// (any row) — OnlyTrashed updates soft-deleted rows only. When no row is
// written, AfterUpdate does not run and nothing is invalidated or audited.
func (r *Repository[T]) UpdateFields(ctx context.Context, id any, fields map[string]any) (*T, error) {
	if err := r.usable("UpdateFields"); err != nil {
		return nil, err
	}
	if r.wrapNotify(ctx) {
		return notifyingN(ctx, r, "UpdateFields", func(w *Repository[T]) (*T, error) { return w.UpdateFields(ctx, id, fields) })
	}
	const op = "UpdateFields"
	key, err := r.mt.keyArgs(op, id)
	if err != nil {
		return nil, err
	}
	out := new(T)
	var before *T
	if r.cfg.auditor != nil {
		before = new(T)
	}
	b, err := r.updateFieldsSQL(op, key, fields, before != nil)
	if err != nil {
		return nil, err
	}
	run := func(ctx context.Context, q Querier) error {
		var err error
		if before == nil {
			err = r.returnRow(ctx, q, op, b, out)
		} else {
			err = r.returnRowAndBefore(ctx, q, op, b, out, before)
		}
		if err != nil {
			if isNotFound(err) {
				return r.missing(ctx, q, op, key)
			}
			return err
		}
		if err := callHook(ctx, out, hookAfterUpdate); err != nil {
			return wrapErr(op+": AfterUpdate", r.table(), err)
		}
		return nil
	}
	if r.mt.hooks.afterUpdate {
		err = r.inTx(ctx, op, run)
	} else {
		err = run(ctx, r.q)
	}
	if err != nil {
		return nil, err
	}
	r.invalidateRow(ctx, key, out)
	if before != nil {
		r.audit(ctx, "update", key, true, before, out)
	}
	return out, nil
}

// updateFieldsSQL validates fields and binds them to sqlb's update by key
// of those columns (cached per column set), RETURNING every column [and,
// with before, the row as it was].
func (r *Repository[T]) updateFieldsSQL(op string, key []any, fields map[string]any, before bool) (boundStatement, error) {
	m := r.mt.m
	set, err := r.checkSet(op, fields)
	if err != nil {
		return boundStatement{}, err
	}
	var ver any
	if m.Version != nil {
		var ok bool
		if ver, ok = fields[m.Version.Column]; !ok {
			return boundStatement{}, errorf(op, r.table(), ErrInvalid, "%s is versioned: fields must hold %q with the version read", m.Name, m.Version.Column)
		}
	}
	opts := []sqlb.StructOption{sqlb.OnlyColumns(set...), sqlb.ReturningColumns(r.mt.names...)}
	if c := r.mt.scope(r.trash, scopeColumn); c != nil {
		opts = append(opts, sqlb.AndWhere(c))
	}
	if before {
		opts = append(opts, sqlb.ReturningBefore())
	}
	st, err := m.UpdateByKey(opts...)
	if err != nil {
		return boundStatement{}, wrapErr(op, r.table(), err)
	}
	params := st.Params()
	args := make([]any, len(params))
	for i, f := range params {
		switch {
		case f.PK:
			args[i] = key[slices.Index(m.PK, f)]
		case f.Version:
			args[i] = ver
		default:
			args[i] = fields[f.Column]
		}
	}
	return boundStatement{sql: st.SQL(), args: args}, nil
}

// checkSet validates column names of a partial update and returns them
// sorted (so the statement text is stable). The version column is left out.
func (r *Repository[T]) checkSet(op string, fields map[string]any) ([]string, error) {
	m := r.mt.m
	set := make([]string, 0, len(fields))
	for c := range fields {
		f := m.Field(c)
		switch {
		case f == nil:
			return nil, errorf(op, r.table(), ErrInvalid, "%s has no column %q", m.Name, c)
		case f.Version:
			continue
		case f.PK || !f.Writable():
			return nil, errorf(op, r.table(), ErrInvalid, "column %q of %s is not updatable", c, m.Name)
		}
		set = append(set, c)
	}
	if len(set) == 0 {
		return nil, errorf(op, r.table(), ErrInvalid, "no column to update")
	}
	slices.Sort(set)
	return set, nil
}

// maintain adds the on_update expressions and the version bump to b.
func (r *Repository[T]) maintain(b sqlb.UpdateBuilder) sqlb.UpdateBuilder {
	for _, f := range r.mt.m.Fields {
		switch {
		case f.Version:
			b = b.Set(f.Column, sqlb.Raw(f.Quoted()+" + 1"))
		case f.OnUpdate != "":
			b = b.Set(f.Column, sqlb.Raw(f.OnUpdate))
		}
	}
	return b
}

// returnRow runs a statement that RETURNs the model's columns in order and
// scans the one row into out; pgx.ErrNoRows when no row came back.
func (r *Repository[T]) returnRow(ctx context.Context, q Querier, op string, b sqlStatement, out *T) error {
	sql, args, err := b.ToSQL()
	if err != nil {
		return wrapErr(op, r.table(), err)
	}
	var buf [16]any
	dest := destAll(r.mt.m, reflect.ValueOf(out).Elem(), buf[:0])
	if err := q.QueryRow(ctx, sql, args...).Scan(dest...); err != nil {
		if isNotFound(err) {
			return pgx.ErrNoRows
		}
		return wrapErr(op, r.table(), err)
	}
	return nil
}

// returnRowAndBefore is returnRow for a statement with sqlb.ReturningBefore: it
// also scans the row as it was into before.
func (r *Repository[T]) returnRowAndBefore(ctx context.Context, q Querier, op string, b sqlStatement, out, before *T) error {
	sql, args, err := b.ToSQL()
	if err != nil {
		return wrapErr(op, r.table(), err)
	}
	dest := destAll(r.mt.m, reflect.ValueOf(out).Elem(), make([]any, 0, 2*len(r.mt.m.Fields)))
	dest = append(dest, destAll(r.mt.m, reflect.ValueOf(before).Elem(), nil)...)
	if err := q.QueryRow(ctx, sql, args...).Scan(dest...); err != nil {
		if isNotFound(err) {
			return pgx.ErrNoRows
		}
		return wrapErr(op, r.table(), err)
	}
	return nil
}

// sqlStatement is any sqlb statement.
type sqlStatement interface {
	ToSQL() (string, []any, error)
}
