package repo

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/normkit/norm/sqlb"
)

// trashMode selects which rows of a soft-delete model a read sees.
type trashMode uint8

const (
	liveOnly    trashMode = iota // default: rows not soft-deleted
	withTrashed                  // every row
	onlyTrashed                  // soft-deleted rows only
)

// meta is the per-type part of a repository: the model, the fixed-shape
// SQL and the scan plan. It is built once per type and shared.
type meta struct {
	m     *sqlb.Model
	table string   // quoted, schema-qualified table
	cols  []string // quoted columns, model order
	// byQuoted maps each quoted column ("email") and table-qualified
	// column ("users"."email") to its field, for checkCond's fast path.
	byQuoted map[string]*sqlb.Field
	qcols    []string // table-qualified quoted columns, for Query()
	find     [3]string
	update   [3]string     // UPDATE by key per trashMode: args updArgs
	updArgs  []*sqlb.Field // fields bound by update: SET values, key, [version]
	updRet   []*sqlb.Field // RETURNING of update: version, on_update, read-only columns
	// updAudit is update with the row as it was before (see beforeImage):
	// args are the SET values, the key, the key again, [version]; RETURNING
	// updRet, then every model column of the row before.
	updAudit [3]string
	del      string        // DELETE by key [and version]
	trash    string        // soft delete by key: args now, [version], key
	restore  string        // restore by key: args [version], key
	softRet  []*sqlb.Field // soft-delete column [, version], returned
	// inline: no field is reached through an embedded pointer, so the
	// address of each field is at a fixed offset in T and one scan
	// destination list serves every row (see scanAll).
	inline  bool
	hooks   hookSet
	upserts sync.Map // upsertKey -> *upsertShape
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

func metaFor(t reflect.Type) (*meta, error) {
	if v, ok := metas.Load(t); ok {
		if mt, ok := v.(*meta); ok {
			return mt, nil
		}
		return nil, v.(error)
	}
	mt, err := buildMeta(t)
	if err != nil {
		metas.Store(t, err)
		return nil, err
	}
	v, _ := metas.LoadOrStore(t, mt)
	return v.(*meta), nil
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

// buildKeySQL builds the statements by primary key once per type.
func (mt *meta) buildKeySQL() error {
	var err error
	for mode := liveOnly; mode <= onlyTrashed; mode++ {
		if mt.find[mode], err = mt.findSQL(mode); err != nil {
			return err
		}
	}
	if err := mt.buildUpdateSQL(); err != nil {
		return err
	}
	key := make([]any, len(mt.m.PK))
	del := sqlb.Delete(mt.table).Where(mt.pkConds(key)...)
	if ver := mt.m.Version; ver != nil {
		del = del.Where(sqlb.Eq(ver.Quoted(), 0))
	}
	if mt.del, _, err = del.ToSQL(); err != nil {
		return err
	}
	sd := mt.m.SoftDelete
	if sd == nil {
		return nil
	}
	mt.softRet = []*sqlb.Field{sd}
	if mt.m.Version != nil {
		mt.softRet = append(mt.softRet, mt.m.Version)
	}
	if mt.trash, err = mt.softSQL(true); err != nil {
		return err
	}
	mt.restore, err = mt.softSQL(false)
	return err
}

// buildUpdateSQL builds UPDATE … SET every writable non-key column but the
// soft-delete one, the version bump and on_update expressions (model
// order) WHERE key [AND version] [AND the soft-delete scope of the mode]
// RETURNING the version, on_update, read-only and soft-delete columns,
// once per trash mode. A model with nothing to set gets no statement
// (Update refuses it).
func (mt *meta) buildUpdateSQL() error {
	b := sqlb.Update(mt.table)
	sets := 0
	for _, f := range mt.m.Fields {
		switch {
		case f.PK:
			continue
		case f.Version:
			b = b.Set(f.Column, sqlb.Raw(f.Quoted()+" + 1"))
			mt.updRet = append(mt.updRet, f)
		case f.OnUpdate != "":
			b = b.Set(f.Column, sqlb.Raw(f.OnUpdate))
			mt.updRet = append(mt.updRet, f)
		case !f.Writable() || f == mt.m.SoftDelete:
			// Only Delete and Restore move a row in or out of the trash
			// (with their hooks and audit); Update reads the column back.
			mt.updRet = append(mt.updRet, f)
			continue
		default:
			b = b.Set(f.Column, 0) // a placeholder: the value is bound per call
			mt.updArgs = append(mt.updArgs, f)
		}
		sets++
	}
	if sets == 0 {
		return nil
	}
	mt.updArgs = append(mt.updArgs, mt.m.PK...)
	b = b.Where(mt.pkConds(make([]any, len(mt.m.PK)))...)
	if ver := mt.m.Version; ver != nil {
		mt.updArgs = append(mt.updArgs, ver)
		b = b.Where(sqlb.Eq(ver.Quoted(), 0))
	}
	ret := make([]string, len(mt.updRet))
	for i, f := range mt.updRet {
		ret[i] = f.Quoted()
	}
	for mode := liveOnly; mode <= onlyTrashed; mode++ {
		bm := b
		if c := mt.scope(mode, scopeColumn); c != nil {
			bm = bm.Where(c)
		}
		sql, args, err := bm.Returning(ret...).ToSQL()
		if err != nil {
			return err
		}
		if len(args) != len(mt.updArgs) {
			return fmt.Errorf("%w: update by key of %s binds %d values, want %d", ErrInvalid, mt.m.Name, len(args), len(mt.updArgs))
		}
		mt.update[mode] = sql
		sql, args, err = mt.withBefore(bm.Returning(ret...), make([]any, len(mt.m.PK))).ToSQL()
		if err != nil {
			return err
		}
		if len(args) != len(mt.updArgs)+len(mt.m.PK) {
			return fmt.Errorf("%w: audited update by key of %s binds %d values, want %d", ErrInvalid, mt.m.Name, len(args), len(mt.updArgs)+len(mt.m.PK))
		}
		mt.updAudit[mode] = sql
	}
	return nil
}

// beforeAlias names the row image before an update in withBefore's FROM
// item; beforeCol is its only column, the whole row.
const (
	beforeAlias = `"norm_before"`
	beforeCol   = `"norm_row"`
)

// withBefore adds to an UPDATE by key the row as it was before the update
// and returns it after b's own RETURNING columns: FROM (SELECT the row
// FOR UPDATE) — which locks it first, so the image is the committed row
// the update then changes, even under concurrent writers — and RETURNING
// each model column of that image. The FROM item exposes one column,
// named so as not to clash with the table's, so b's unqualified names keep
// their meaning. The key is bound again, after the SET values and before
// b's WHERE values.
func (mt *meta) withBefore(b sqlb.UpdateBuilder, key []any) sqlb.UpdateBuilder {
	conds := make([]sqlb.Sqlizer, len(mt.m.PK))
	for i, f := range mt.m.PK {
		conds[i] = sqlb.Eq(`"norm_b".`+f.Quoted(), nonNil(key[i]))
	}
	sub := sqlb.Select().ColumnRaw(`"norm_b" AS ` + beforeCol).From(sqlb.As(mt.table, "norm_b")).Where(conds...).ForUpdate()
	b = b.From(sqlb.As(sub, "norm_before"))
	for _, f := range mt.m.Fields {
		b = b.ReturningRaw("(" + beforeAlias + "." + beforeCol + ")." + f.Quoted())
	}
	return b
}

// softSQL builds UPDATE … SET deleted_at = $1 (trash) or NULL (restore),
// bumping a version, WHERE in the right state [AND version] AND key
// RETURNING the soft-delete column [and version].
func (mt *meta) softSQL(trash bool) (string, error) {
	sd := mt.m.SoftDelete
	b := sqlb.Update(mt.table)
	if trash {
		b = b.Set(sd.Column, time.Time{}).Where(sqlb.IsNull(sd.Quoted()))
	} else {
		b = b.Set(sd.Column, sqlb.Raw("NULL")).Where(sqlb.NotNull(sd.Quoted()))
	}
	if ver := mt.m.Version; ver != nil {
		b = b.Set(ver.Column, sqlb.Raw(ver.Quoted()+" + 1")).Where(sqlb.Eq(ver.Quoted(), 0))
	}
	ret := make([]string, len(mt.softRet))
	for i, f := range mt.softRet {
		ret[i] = f.Quoted()
	}
	sql, _, err := b.Where(mt.pkConds(make([]any, len(mt.m.PK)))...).Returning(ret...).ToSQL()
	return sql, err
}

// findSQL builds SELECT cols FROM table WHERE pk = $1 … [scope].
func (mt *meta) findSQL(mode trashMode) (string, error) {
	b := sqlb.Select(mt.cols...).From(mt.table).Where(mt.pkConds(make([]any, len(mt.m.PK)))...)
	if c := mt.scope(mode, scopeColumn); c != nil {
		b = b.Where(c)
	}
	sql, _, err := b.ToSQL()
	return sql, err
}

// pkConds returns pk = value conditions for key values in PK order.
func (mt *meta) pkConds(key []any) []sqlb.Sqlizer {
	conds := make([]sqlb.Sqlizer, len(mt.m.PK))
	for i, f := range mt.m.PK {
		conds[i] = sqlb.Eq(f.Quoted(), nonNil(key[i]))
	}
	return conds
}

// nonNil keeps Eq from turning a placeholder-building nil into IS NULL.
func nonNil(v any) any {
	if v == nil {
		return 0
	}
	return v
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
