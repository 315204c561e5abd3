package repo

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/normkit/norm/sqlb"
)

// trashMode selects which rows of a soft-delete model a read sees.
type trashMode uint8

const (
	liveOnly    trashMode = iota // default: rows not soft-deleted
	withTrashed                  // every row
	onlyTrashed                  // soft-deleted rows only
)

// meta is the per-type part of a repository: the model, the statements
// by key (sqlb templates, built and cached by sqlb once per type) and the
// scan plan. It is built once per type and shared.
type meta struct {
	m     *sqlb.Model
	table string   // quoted, schema-qualified table
	cols  []string // quoted columns, model order
	names []string // column names, model order (for sqlb.ReturningColumns)
	// byQuoted maps each quoted column ("email") and table-qualified
	// column ("users"."email") to its field, for checkCond's fast path.
	byQuoted map[string]*sqlb.Field
	qcols    []string // table-qualified quoted columns, for Query()
	// The statements by key, per trashMode where the soft-delete scope
	// applies; nil without a primary key.
	find   [3]*sqlb.Template // SELECT every column by key
	exists [3]*sqlb.Template // SELECT EXISTS by key (see missing)
	// update is UPDATE by key of every writable column but the
	// soft-delete one (only Delete and Restore move a row in or out of
	// the trash; Update reads the column back), with the version check;
	// nil when there is nothing to set (Update refuses it). updAudit is
	// the same returning the row as it was before (sqlb.ReturningBefore).
	update   [3]*sqlb.Template
	updAudit [3]*sqlb.Template
	del      *sqlb.Template // DELETE by key and version
	// trash and restore set the soft-delete column (to the clock, or to
	// NULL) by key and version, in the right state, bumping the version
	// and returning the column [and the version]; nil without one.
	trash   *sqlb.Template
	restore *sqlb.Template
	// inline: no field is reached through an embedded pointer, so the
	// address of each field is at a fixed offset in T and one scan
	// destination list serves every row (see scanAll).
	inline  bool
	hooks   hookSet
	upserts sync.Map // upsertKey -> *sqlb.Upsert (resolved options; sqlb caches the statements)
	// scopes are the soft-delete conditions per place and trashMode (see
	// scope), built once: nil without a soft-delete column.
	scopes [scopeConflict + 1][onlyTrashed + 1]sqlb.Sqlizer
}

// scopeAt says how the soft-delete column is named in a condition.
type scopeAt uint8

const (
	scopeColumn   scopeAt = iota // the column alone
	scopeQuery                   // qualified by the schema-qualified table: Query(), where joins may follow
	scopeConflict                // qualified by the bare table name, which names the existing row in ON CONFLICT DO UPDATE
)

var metas sync.Map // reflect.Type -> *meta or error

func metaFor(t reflect.Type) (*meta, error) { return perType(&metas, t, buildMeta) }

// perType returns what build makes of t, building it once per type and
// keeping an error too, so a type that cannot be mapped fails alike on
// every call.
func perType[V any](cache *sync.Map, t reflect.Type, build func(reflect.Type) (V, error)) (V, error) {
	if v, ok := cache.Load(t); ok {
		if err, ok := v.(error); ok {
			var zero V
			return zero, err
		}
		return v.(V), nil
	}
	v, err := build(t)
	if err != nil {
		cache.Store(t, err)
		return v, err
	}
	got, _ := cache.LoadOrStore(t, v)
	return got.(V), nil
}

// embedding reports how the fields of m are reached: inline when none
// lies behind an embedded pointer (each is at a fixed offset in T), and
// the name of the first embedded pointer to an unexported struct type,
// which reflection may not allocate when rows are read ("" when none).
func embedding(m *sqlb.Model) (inline bool, unsettable string) {
	inline = true
	for _, f := range m.Fields {
		t := m.Type
		for _, x := range f.Index[:len(f.Index)-1] {
			sf := t.Field(x)
			t = sf.Type
			if t.Kind() == reflect.Pointer {
				inline = false
				if !sf.IsExported() {
					return false, sf.Name
				}
				t = t.Elem()
			}
		}
	}
	return inline, ""
}

func buildMeta(t reflect.Type) (*meta, error) {
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("repo: New[%s]: %w: want a struct type", t, ErrInvalid)
	}
	m, err := sqlb.ModelFor(t)
	if err != nil {
		return nil, fmt.Errorf("repo: New[%s]: %w", t, err)
	}
	if m.Table == "" {
		return nil, fmt.Errorf("repo: New[%s]: %w: no table name", t, ErrInvalid)
	}
	if len(m.Fields) == 0 {
		return nil, fmt.Errorf("repo: New[%s]: %w: no columns", t, ErrInvalid)
	}
	inline, unsettable := embedding(m)
	if unsettable != "" {
		return nil, fmt.Errorf("repo: New[%s]: %w: embedded pointer %s is to an unexported struct type, which reading rows cannot allocate: export the type or embed it by value", t, ErrInvalid, unsettable)
	}
	mt := &meta{m: m, table: m.QuotedTable(), hooks: hooksOf(t), inline: inline}
	mt.byQuoted = make(map[string]*sqlb.Field, 2*len(m.Fields))
	for _, f := range m.Fields {
		mt.cols = append(mt.cols, f.Quoted())
		mt.names = append(mt.names, f.Column)
		mt.qcols = append(mt.qcols, mt.table+"."+f.Quoted())
		mt.byQuoted[f.Quoted()] = f
		mt.byQuoted[mt.table+"."+f.Quoted()] = f
	}
	mt.buildScopes()
	if len(m.PK) > 0 {
		if err := mt.buildKeySQL(); err != nil {
			return nil, fmt.Errorf("repo: New[%s]: %w", t, err)
		}
	}
	return mt, nil
}

// buildKeySQL gets the statements by primary key from sqlb, which
// builds each once per type and options; repo adds its soft-delete scope
// and RETURNING lists through the template options.
func (mt *meta) buildKeySQL() error {
	m := mt.m
	var err error
	for mode := liveOnly; mode <= onlyTrashed; mode++ {
		var scope []sqlb.StructOption
		if c := mt.scope(mode, scopeColumn); c != nil {
			scope = append(scope, sqlb.AndWhere(c))
		}
		if mt.find[mode], err = m.SelectByKey(scope...); err != nil {
			return err
		}
		if mt.exists[mode], err = m.ExistsByKey(scope...); err != nil {
			return err
		}
		upd := scope[:len(scope):len(scope)]
		if m.SoftDelete != nil {
			upd = append(upd, sqlb.ExceptColumns(m.SoftDelete.Column))
		}
		mt.update[mode], err = m.UpdateByKey(upd...)
		if errors.Is(err, sqlb.ErrIncomplete) {
			continue // nothing to set: Update refuses it
		}
		if err != nil {
			return err
		}
		if mt.updAudit[mode], err = m.UpdateByKey(append(upd, sqlb.ReturningBefore())...); err != nil {
			return err
		}
	}
	if mt.del, err = m.DeleteByKey(sqlb.MatchVersion()); err != nil {
		return err
	}
	sd := m.SoftDelete
	if sd == nil {
		return nil
	}
	ret := []string{sd.Column}
	if m.Version != nil {
		ret = append(ret, m.Version.Column)
	}
	soft := func(state sqlb.Sqlizer) (*sqlb.Template, error) {
		return m.UpdateByKey(sqlb.OnlyColumns(sd.Column), sqlb.SkipOnUpdate(), sqlb.AndWhere(state), sqlb.ReturningColumns(ret...))
	}
	if mt.trash, err = soft(mt.scope(liveOnly, scopeColumn)); err != nil {
		return err
	}
	mt.restore, err = soft(mt.scope(onlyTrashed, scopeColumn))
	return err
}

// bind returns the values of t's parameters read from rv.
func bind(t *sqlb.Template, rv reflect.Value) []any {
	params := t.Params()
	args := make([]any, len(params))
	for i, f := range params {
		args[i] = f.Value(rv)
	}
	return args
}

// scope returns the soft-delete condition for mode with the column named
// as at says, or nil (no soft-delete column, or withTrashed).
func (mt *meta) scope(mode trashMode, at scopeAt) sqlb.Sqlizer { return mt.scopes[at][mode] }

// buildScopes builds every condition scope returns.
func (mt *meta) buildScopes() {
	if mt.m.SoftDelete == nil {
		return
	}
	bare, _ := sqlb.QuoteIdent(mt.m.Table) // validated with the model
	col := mt.m.SoftDelete.Quoted()
	for at, name := range [...]string{scopeColumn: col, scopeQuery: mt.table + "." + col, scopeConflict: bare + "." + col} {
		mt.scopes[at][liveOnly] = sqlb.IsNull(name)
		mt.scopes[at][onlyTrashed] = sqlb.NotNull(name)
	}
}

// keyArgs turns a key given by the caller into one value per PK column: a
// plain value for a single-column key, a Key for a composite one.
func (mt *meta) keyArgs(op string, key any) ([]any, error) {
	n := len(mt.m.PK)
	if n == 0 {
		return nil, errorf(op, mt.m.Table, ErrInvalid, "%s has no primary key", mt.m.Name)
	}
	if k, ok := key.(Key); ok {
		if len(k) != n {
			return nil, errorf(op, mt.m.Table, ErrInvalid, "key has %d values, primary key of %s has %d columns", len(k), mt.m.Name, n)
		}
		return k, nil
	}
	if n != 1 {
		return nil, errorf(op, mt.m.Table, ErrInvalid, "%s has a composite primary key (%s): pass a repo.Key", mt.m.Name, mt.pkNames())
	}
	if key == nil {
		return nil, errorf(op, mt.m.Table, ErrInvalid, "nil key")
	}
	return []any{key}, nil
}

func (mt *meta) pkNames() string {
	names := make([]string, len(mt.m.PK))
	for i, f := range mt.m.PK {
		names[i] = f.Column
	}
	return strings.Join(names, ", ")
}

// keyOf reads the primary key values of struct value rv.
func (mt *meta) keyOf(rv reflect.Value) []any {
	out := make([]any, len(mt.m.PK))
	for i, f := range mt.m.PK {
		out[i] = f.Value(rv)
	}
	return out
}

// Key is the value of a composite primary key, one value per key column
// in the model's order. A single-column key is passed as a plain value.
type Key []any
