package repo

import (
	"context"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/normkit/norm/sqlb"
)

// UpsertOption chooses the conflict target and the action of Upsert and
// UpsertBatch.
type UpsertOption func(*upsertSpec)

type upsertSpec struct {
	cols          []string
	colsSet       bool
	constraint    string
	constraintSet bool
	update        []string
	updateSet     bool
	nothing       bool
}

// OnConflict names the conflict target columns (default: the primary
// key). They need a unique index or constraint; when they are a unique
// group of a soft-delete model, the target carries the partial-index
// predicate (see Upsert). No columns, or OnConflict with OnConstraint, is
// ErrInvalid.
func OnConflict(cols ...string) UpsertOption {
	return func(s *upsertSpec) { s.cols, s.colsSet = append([]string(nil), cols...), true }
}

// OnConstraint makes the conflict target a named unique constraint. An
// empty name is ErrInvalid.
func OnConstraint(name string) UpsertOption {
	return func(s *upsertSpec) { s.constraint, s.constraintSet = name, true }
}

// UpdateColumns names the columns a conflicting row gets from the new one
// (default: every inserted column outside the conflict target). on_update
// columns are set and the version bumped either way.
func UpdateColumns(cols ...string) UpsertOption {
	return func(s *upsertSpec) { s.update, s.updateSet = append([]string(nil), cols...), true }
}

// DoNothing leaves a conflicting row as it is (ON CONFLICT DO NOTHING).
// With UpdateColumns it is ErrInvalid.
func DoNothing() UpsertOption {
	return func(s *upsertSpec) { s.nothing = true }
}

// Upsert inserts v or, when it conflicts on the target (OnConflict,
// OnConstraint; default the primary key), updates the existing row
// (UpdateColumns; default every inserted column outside the target) and
// scans the stored row back into v (RETURNING). An identity key in the
// conflict target is written as given (so an upsert on the primary key
// works; a zero key is inserted as 0). It reports whether a row
// was written: false only with DoNothing and a conflict, and v is then
// left as given. Values follow Create's rules: a defaulted field holding
// its zero value is DEFAULT, and on a conflict that column takes the
// default from EXCLUDED too. OnConflict on the columns of a soft-delete
// model's unique group names the partial-index predicate migrate gives
// it (ON CONFLICT (…) WHERE "deleted_at" IS NULL; sqlb.Constraint.Where),
// so the index is found; a soft-deleted row is not in that index and does
// not conflict. Upsert runs no hooks.
//
// Soft delete: the conflict is decided by the unique index, which sees
// soft-deleted rows too. By default the update is scoped like Update
// (DO UPDATE … WHERE "t"."deleted_at" IS NULL): a conflicting soft-deleted
// row is left exactly as it is and Upsert returns ErrNotFound (v left as
// given). Through WithTrashed() the conflicting row is updated whatever its
// state, and stays in or out of the trash: the default update columns leave
// the soft-delete column out (only Delete and Restore move a row; name the
// column in UpdateColumns to set it from v). OnlyTrashed() updates only a
// soft-deleted conflicting row. DoNothing is never scoped: any conflict
// means nothing is written and false is returned.
func (r *Repository[T]) Upsert(ctx context.Context, v *T, opts ...UpsertOption) (bool, error) {
	if err := r.usable("Upsert"); err != nil {
		return false, err
	}
	if r.wrapNotify(ctx) {
		return notifyingN(ctx, r, "Upsert", func(w *Repository[T]) (bool, error) { return w.Upsert(ctx, v, opts...) })
	}
	const op = "Upsert"
	if v == nil {
		return false, errorf(op, r.table(), ErrInvalid, "nil entity")
	}
	spec, err := r.upsertOf(op, opts)
	if err != nil {
		return false, err
	}
	st, err := r.upsertStatement(op, spec, v)
	if err != nil {
		return false, err
	}
	err = r.returnRow(ctx, r.q, op, st, v)
	if isNotFound(err) {
		if r.upsertScope(spec) != nil {
			return false, r.upsertOutOfView(op, 1, 1)
		}
		return false, nil
	}
	if err != nil {
		return false, err
	}
	r.observeRow(ctx, "upsert", v)
	return true, nil
}

func upsertOf(opts []UpsertOption) upsertSpec {
	if len(opts) == 0 {
		return upsertSpec{} // the spec escapes through o: spare the allocation
	}
	var s upsertSpec
	for _, o := range opts {
		if o != nil {
			o(&s)
		}
	}
	return s
}

// upsertOf applies opts and refuses a spec that would silently drop one
// of them: an empty target, two targets, or an update set with DoNothing.
func (r *Repository[T]) upsertOf(op string, opts []UpsertOption) (upsertSpec, error) {
	s := upsertOf(opts)
	var why string
	switch {
	case s.colsSet && len(s.cols) == 0:
		why = "OnConflict() names no column: omit it for the primary key"
	case s.constraintSet && s.constraint == "":
		why = `OnConstraint("") names no constraint`
	case s.colsSet && s.constraintSet:
		why = "OnConflict and OnConstraint both name a conflict target: give one"
	case s.nothing && s.updateSet:
		why = "DoNothing and UpdateColumns contradict each other: give one"
	default:
		return s, nil
	}
	return s, errorf(op, r.table(), ErrInvalid, "%s", why)
}

// insertFields lists the columns a batch or upsert writes: every writable
// field, in model order.
func (mt *meta) insertFields() []*sqlb.Field {
	var out []*sqlb.Field
	for _, f := range mt.m.Fields {
		if f.Writable() {
			out = append(out, f)
		}
	}
	return out
}

// insertBuilder builds a multi-row INSERT of rows (the caller adds
// RETURNING).
func (r *Repository[T]) insertBuilder(rows []reflect.Value) sqlb.InsertBuilder {
	fields := r.mt.insertFields()
	return sqlb.Insert(r.mt.table).Columns(columnNames(fields)...).Rows(rowValues(fields, rows))
}

// rowValues is the one place repo lays out an insert's rows: a field that
// sqlb's rule leaves to its default (Field.LeftToDefault: a defaulted
// field holding its zero value) is DEFAULT in its row, so the column
// default applies and RETURNING reads it back. The values share one
// backing array and go to sqlb in one Rows call: no per-row builder.
func rowValues(fields []*sqlb.Field, rows []reflect.Value) [][]any {
	flat := make([]any, len(rows)*len(fields))
	vals := make([][]any, len(rows))
	for i, rv := range rows {
		row := flat[i*len(fields) : (i+1)*len(fields) : (i+1)*len(fields)]
		for j, f := range fields {
			if f.LeftToDefault(rv) {
				row[j] = sqlb.Default
				continue
			}
			row[j] = f.Value(rv)
		}
		vals[i] = row
	}
	return vals
}

func columnNames(fields []*sqlb.Field) []string {
	cols := make([]string, len(fields))
	for i, f := range fields {
		cols[i] = f.Column
	}
	return cols
}

// createReturning lists the columns CreateBatch reads back, as Create
// does: those the database fills (identity, readonly and generated) and
// the defaulted ones, which a row may have left to their default. A model
// with none reads its key back, to count the rows.
func (mt *meta) createReturning() []*sqlb.Field {
	var ret []*sqlb.Field
	for _, f := range mt.m.Fields {
		if !f.Writable() || f.HasDefault {
			ret = append(ret, f)
		}
	}
	if len(ret) == 0 && len(mt.m.Fields) > 0 {
		ret = append(ret, mt.m.Fields[0])
		if len(mt.m.PK) > 0 {
			ret[0] = mt.m.PK[0]
		}
	}
	return ret
}

// upsertKey identifies an upsert spec in one soft-delete view.
type upsertKey struct {
	spec  string
	trash trashMode // the soft-delete scope of DO UPDATE
}

// upsertPlan returns sqlb's upsert for spec in r's view, which builds and
// caches the statements; repo adds its soft-delete rules as options (the
// scope of DO UPDATE, the soft-delete column left out of the default
// update set) and reads every column back. The resolved plan is kept per
// spec and view, so a call resolves no options.
func (r *Repository[T]) upsertPlan(op string, spec upsertSpec) (*sqlb.Upsert, error) {
	k := upsertKey{spec: spec.key(), trash: r.trash}
	if v, ok := r.mt.upserts.Load(k); ok {
		return v.(*sqlb.Upsert), nil
	}
	opts := []sqlb.StructOption{sqlb.ReturningColumns(r.mt.names...)}
	switch {
	case spec.constraint != "":
		opts = append(opts, sqlb.UpsertOnConstraint(spec.constraint))
	case len(spec.cols) > 0:
		opts = append(opts, sqlb.UpsertOn(spec.cols...))
	}
	switch {
	case spec.nothing:
		opts = append(opts, sqlb.UpsertDoNothing())
	case spec.updateSet:
		opts = append(opts, sqlb.OnlyColumns(spec.update...))
	case r.mt.m.SoftDelete != nil:
		// Left to Delete and Restore unless named in UpdateColumns.
		opts = append(opts, sqlb.ExceptColumns(r.mt.m.SoftDelete.Column))
	}
	if c := r.upsertScope(spec); c != nil {
		opts = append(opts, sqlb.AndWhere(c))
	}
	u, err := r.mt.m.Upsert(opts...)
	if err != nil {
		return nil, fmt.Errorf("repo: %s %s: %w: %w", op, r.table(), ErrInvalid, err)
	}
	v, _ := r.mt.upserts.LoadOrStore(k, u)
	return v.(*sqlb.Upsert), nil
}

// upsertStatement returns the single-row upsert of v.
func (r *Repository[T]) upsertStatement(op string, spec upsertSpec, v *T) (sqlStatement, error) {
	u, err := r.upsertPlan(op, spec)
	if err != nil {
		return nil, err
	}
	t, err := u.For(v)
	if err != nil {
		return nil, wrapErr(op, r.table(), err)
	}
	return boundStatement{sql: t.SQL(), args: bind(t, reflect.ValueOf(v).Elem())}, nil
}

// upsertBuilder returns the multi-row upsert of rows.
func (r *Repository[T]) upsertBuilder(op string, spec upsertSpec, rows []reflect.Value) (sqlb.InsertBuilder, error) {
	u, err := r.upsertPlan(op, spec)
	if err != nil {
		return sqlb.InsertBuilder{}, err
	}
	return u.Builder(rowValues(u.Fields(), rows)), nil
}

// upsertScope is the soft-delete condition the conflicting row must meet
// for DO UPDATE to change it (the existing row is named by the bare table
// name there), or nil: no soft-delete column, WithTrashed, or DoNothing.
func (r *Repository[T]) upsertScope(spec upsertSpec) sqlb.Sqlizer {
	if spec.nothing {
		return nil
	}
	return r.mt.scope(r.trash, scopeConflict)
}

// upsertOutOfView is the ErrNotFound of an upsert whose conflicting rows
// (n of total) were outside the soft-delete view and left alone.
func (r *Repository[T]) upsertOutOfView(op string, n, total int) error {
	what := "the conflicting row is soft-deleted and was left as it is: Restore it, or upsert through WithTrashed() to overwrite it"
	if r.trash == onlyTrashed {
		what = "the conflicting row is not soft-deleted (OnlyTrashed view) and was left as it is"
	}
	if total > 1 {
		what = fmt.Sprintf("%d of %d rows conflict with rows outside the soft-delete view (soft-deleted rows by default), which are left as they are; nothing was written: Restore them, or upsert through WithTrashed() to overwrite them", n, total)
		if r.trash == onlyTrashed {
			what = fmt.Sprintf("%d of %d rows conflict with live rows (OnlyTrashed view), which are left as they are; nothing was written", n, total)
		}
	}
	return errorf(op, r.table(), ErrNotFound, "%s", what)
}

// boundStatement is SQL text with its arguments.
type boundStatement struct {
	sql  string
	args []any
}

// ToSQL returns the statement.
func (s boundStatement) ToSQL() (string, []any, error) { return s.sql, s.args, nil }

// key identifies a spec for the statement cache.
func (s upsertSpec) key() string {
	if len(s.cols) == 0 && s.constraint == "" && len(s.update) == 0 && !s.updateSet && !s.nothing {
		return defaultSpecKey // the common call, without options: no concatenation
	}
	return s.fullKey()
}

func (s upsertSpec) fullKey() string {
	return strings.Join(s.cols, "\x00") + "\x01" + s.constraint + "\x01" + strings.Join(s.update, "\x00") +
		"\x01" + strconv.FormatBool(s.updateSet) + strconv.FormatBool(s.nothing)
}

// defaultSpecKey is the key of the zero upsertSpec.
var defaultSpecKey = upsertSpec{}.fullKey()
