package repo

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/normkit/norm/sqlb"
)

// UpsertOption chooses the conflict target and the action of Upsert and
// UpsertBatch.
type UpsertOption func(*upsertSpec)

type upsertSpec struct {
	cols       []string
	constraint string
	update     []string
	updateSet  bool
	nothing    bool
}

// OnConflict names the conflict target columns (default: the primary
// key). They need a unique index or constraint; when they are a unique
// group of a soft-delete model, the target carries the partial-index
// predicate (see Upsert).
func OnConflict(cols ...string) UpsertOption {
	return func(s *upsertSpec) { s.cols = append([]string(nil), cols...) }
}

// OnConstraint makes the conflict target a named unique constraint.
func OnConstraint(name string) UpsertOption {
	return func(s *upsertSpec) { s.constraint = name }
}

// UpdateColumns names the columns a conflicting row gets from the new one
// (default: every inserted column outside the conflict target). on_update
// columns are set and the version bumped either way.
func UpdateColumns(cols ...string) UpsertOption {
	return func(s *upsertSpec) { s.update, s.updateSet = append([]string(nil), cols...), true }
}

// DoNothing leaves a conflicting row as it is (ON CONFLICT DO NOTHING).
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
	spec := upsertOf(opts)
	rv := reflect.ValueOf(v).Elem()
	st, err := r.upsertStatement(op, spec, rv)
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
// RETURNING); identity columns named in with are written too (an upsert on
// the key).
// It is the one place repo builds an insert's rows: a field that sqlb's
// rule leaves to its default (Field.LeftToDefault: a defaulted field
// holding its zero value) is written as DEFAULT in its row, so the column
// default applies and RETURNING reads it back. The chunk's values share
// one backing array and go to sqlb in one Rows call: no per-row builder.
func (r *Repository[T]) insertBuilder(rows []reflect.Value, with ...string) sqlb.InsertBuilder {
	fields := r.insertFieldsWith(with)
	cols := make([]string, len(fields))
	for i, f := range fields {
		cols[i] = f.Column
	}
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
	return sqlb.Insert(r.mt.table).Columns(cols...).Rows(vals)
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

// insertFieldsWith lists the columns insertBuilder writes: every writable
// field, and identity fields named in with, in model order.
func (r *Repository[T]) insertFieldsWith(with []string) []*sqlb.Field {
	if len(with) == 0 {
		return r.mt.insertFields()
	}
	var fields []*sqlb.Field
	for _, f := range r.mt.m.Fields {
		if f.Writable() || (f.Identity && slices.Contains(with, f.Column)) {
			fields = append(fields, f)
		}
	}
	return fields
}

// upsertBuilder adds the ON CONFLICT clause of spec to insertBuilder.
func (r *Repository[T]) upsertBuilder(op string, spec upsertSpec, rows []reflect.Value) (sqlb.InsertBuilder, error) {
	m := r.mt.m
	target := spec.cols
	var conflict sqlb.Conflict
	switch {
	case spec.constraint != "":
		conflict = sqlb.ConflictOnConstraint(spec.constraint)
	default:
		if len(target) == 0 {
			for _, f := range m.PK {
				target = append(target, f.Column)
			}
		}
		if len(target) == 0 {
			return sqlb.InsertBuilder{}, errorf(op, r.table(), ErrInvalid, "%s has no primary key: name the conflict columns", m.Name)
		}
		for _, c := range target {
			if m.Field(c) == nil {
				return sqlb.InsertBuilder{}, errorf(op, r.table(), ErrInvalid, "%s has no column %q", m.Name, c)
			}
		}
		conflict = sqlb.ConflictOn(target...)
		// A unique group migrate made a partial index (a soft-delete
		// model's) is found by ON CONFLICT only with its predicate.
		if u := m.UniqueOn(target...); u != nil && u.Where != "" {
			conflict = conflict.Where(sqlb.Raw(u.Where))
		}
	}
	b := r.insertBuilder(rows, target...).Returning(r.mt.cols...)
	if spec.nothing {
		return b.OnConflict(conflict, sqlb.DoNothing()), nil
	}
	set, err := r.upsertSet(op, spec, target)
	if err != nil {
		return b, err
	}
	action := sqlb.DoUpdate().SetExcluded(set...)
	table, _ := sqlb.QuoteIdent(m.Table)
	for _, f := range m.Fields {
		switch {
		case f.Version:
			action = action.Set(f.Column, sqlb.Raw(table+"."+f.Quoted()+" + 1"))
		case f.OnUpdate != "":
			action = action.Set(f.Column, sqlb.Raw(f.OnUpdate))
		}
	}
	if c := r.upsertScope(spec); c != nil {
		action = action.Where(c)
	}
	return b.OnConflict(conflict, action), nil
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

// upsertSet returns the columns a conflicting row takes from EXCLUDED.
func (r *Repository[T]) upsertSet(op string, spec upsertSpec, target []string) ([]string, error) {
	m := r.mt.m
	if spec.updateSet {
		for _, c := range spec.update {
			f := m.Field(c)
			if f == nil || !f.Writable() || f.Version || f.OnUpdate != "" {
				return nil, errorf(op, r.table(), ErrInvalid, "column %q of %s cannot be updated by an upsert", c, m.Name)
			}
		}
		return spec.update, nil
	}
	inTarget := map[string]bool{}
	for _, c := range target {
		inTarget[c] = true
	}
	var set []string
	for _, f := range r.mt.insertFields() {
		// The soft-delete column is left to Delete and Restore unless the
		// caller names it in the update set.
		if !inTarget[f.Column] && !f.PK && !f.Version && f.OnUpdate == "" && f != m.SoftDelete {
			set = append(set, f.Column)
		}
	}
	return set, nil
}

// upsertShape is the cached SQL of a single-row upsert for one spec and
// one set of nil defaulted fields.
type upsertShape struct {
	sql    string
	fields []*sqlb.Field // fields bound as parameters, in order
}

type upsertKey struct {
	spec  string
	mask  uint64
	trash trashMode // the soft-delete scope of DO UPDATE
}

// boundStatement is SQL text with its arguments.
type boundStatement struct {
	sql  string
	args []any
}

// ToSQL returns the statement.
func (s boundStatement) ToSQL() (string, []any, error) { return s.sql, s.args, nil }

// upsertStatement returns the single-row upsert of rv, building its SQL
// text with sqlb once per spec and shape (models of up to 64 columns).
func (r *Repository[T]) upsertStatement(op string, spec upsertSpec, rv reflect.Value) (sqlStatement, error) {
	if len(r.mt.m.Fields) > 64 {
		return r.upsertBuilder(op, spec, []reflect.Value{rv})
	}
	var mask uint64
	for i, f := range r.mt.m.Fields {
		if f.LeftToDefault(rv) {
			mask |= 1 << i
		}
	}
	k := upsertKey{spec: spec.key(), mask: mask, trash: r.trash}
	if v, ok := r.mt.upserts.Load(k); ok {
		return bindShape(v.(*upsertShape), rv), nil
	}
	b, err := r.upsertBuilder(op, spec, []reflect.Value{rv})
	if err != nil {
		return nil, err
	}
	sql, _, err := b.ToSQL()
	if err != nil {
		return nil, wrapErr(op, r.table(), err)
	}
	sh := &upsertShape{sql: sql}
	for _, f := range r.insertFieldsFor(spec) {
		if i := slices.Index(r.mt.m.Fields, f); mask&(1<<i) == 0 {
			sh.fields = append(sh.fields, f)
		}
	}
	r.mt.upserts.Store(k, sh)
	return bindShape(sh, rv), nil
}

func bindShape(sh *upsertShape, rv reflect.Value) boundStatement {
	args := make([]any, len(sh.fields))
	for i, f := range sh.fields {
		args[i] = f.Value(rv)
	}
	return boundStatement{sql: sh.sql, args: args}
}

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

// insertFieldsFor is the column list insertBuilder writes for spec.
func (r *Repository[T]) insertFieldsFor(spec upsertSpec) []*sqlb.Field {
	return r.insertFieldsWith(r.upsertTarget(spec))
}

// upsertTarget is the conflict column list of spec (nil for a constraint).
func (r *Repository[T]) upsertTarget(spec upsertSpec) []string {
	if spec.constraint != "" {
		return nil
	}
	if len(spec.cols) > 0 {
		return spec.cols
	}
	var target []string
	for _, f := range r.mt.m.PK {
		target = append(target, f.Column)
	}
	return target
}
