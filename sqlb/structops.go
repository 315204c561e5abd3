package sqlb

import (
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// Statement is a complete statement built from a struct: SQL text with $n
// placeholders, its arguments, and the fields its RETURNING clause yields
// (in order, for scanning back into the struct).
type Statement struct {
	sql       string
	args      []any
	returning []*Field
	err       error
}

// ToSQL returns the statement text and arguments, or the error that
// prevented building it.
func (s Statement) ToSQL() (string, []any, error) {
	if s.err != nil {
		return "", nil, s.err
	}
	return s.sql, s.args, nil
}

// Returning lists the fields the RETURNING clause yields, in order; nil
// when there is no RETURNING clause.
func (s Statement) Returning() []*Field { return s.returning }

// Err returns the error that prevented building the statement, if any.
func (s Statement) Err() error { return s.err }

// StructOption changes how a struct statement is built.
type StructOption func(*structOpts)

type structOpts struct {
	only         []string
	except       []string
	skipOnUpdate bool
	where        []Sqlizer
	returning    []string
	returningSet bool
	matchVersion bool
	before       bool
	target       []string // UpsertOn
	constraint   string   // UpsertOnConstraint
	nothing      bool     // UpsertDoNothing
	used         uint16   // which options were given (see check)
}

// OmitZeroDefaults is kept for compatibility and changes nothing: every
// struct insert now leaves a defaulted field holding its zero value to the
// column default (see Field.LeftToDefault).
//
// Deprecated: it is the default behavior.
func OmitZeroDefaults() StructOption { return func(*structOpts) {} }

// OnlyColumns restricts the SET list of UpdateStructByPK (UpdateByKey)
// to the given columns (a partial update). Version and on_update columns
// are still maintained.
func OnlyColumns(cols ...string) StructOption {
	return func(o *structOpts) { o.only = append(o.only, cols...); o.use(optOnly) }
}

// stmtCache holds the templates of one model (see Template): one per
// statement kind, options and, for inserts, set of fields left to their
// default. It is the one statement cache of sqlb and repo.
type stmtCache struct {
	m       sync.Map
	upserts sync.Map // options key -> *Upsert, resolved once (Model.Upsert)
}

// shapeKey identifies a cached statement text: its kind, the fields left
// to their default (fieldBits.lo: all of them, as only models of at most
// 64 fields are cached) and the options.
type shapeKey struct {
	kind  uint8
	mask  uint64
	extra string
}

const (
	kindInsert uint8 = iota + 1
	kindUpdate
	kindUpsert
	kindDelete
	kindSelect
	kindExists
)

// structModel resolves v to its model and struct value.
func structModel(op string, v any) (*Model, reflect.Value, error) {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil, rv, errorf(op, ErrInvalidValue, "nil %T", v)
		}
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return nil, rv, errorf(op, ErrInvalidValue, "want a struct, got %T", v)
	}
	m, err := modelOf(rv.Type())
	if err != nil {
		return nil, rv, wrapOp(op, err)
	}
	if m.Table == "" {
		return nil, rv, errorf(op, ErrEmptyTable, "%s has no table name", rv.Type())
	}
	return m, rv, nil
}

// cachedShape returns the template of k, built once; a model of more
// than 64 fields has its templates built per call, as k cannot tell their
// later fields apart.
func (m *Model) cachedShape(k shapeKey, build func() (*Template, error)) (*Template, error) {
	cacheable := len(m.Fields) <= 64
	if cacheable {
		if s, ok := m.stmts.m.Load(k); ok {
			return s.(*Template), nil
		}
	}
	s, err := build()
	if err != nil {
		return nil, err
	}
	s.model = m
	if cacheable {
		m.stmts.m.Store(k, s)
	}
	return s, nil
}

func applyOpts(opts []StructOption) structOpts {
	if len(opts) == 0 {
		return structOpts{} // the options escape through fn: spare the allocation
	}
	var o structOpts
	for _, fn := range opts {
		if fn != nil {
			fn(&o)
		}
	}
	return o
}

// fieldBits is a set of a model's fields by position in Model.Fields. The
// first 64 are a word that a shape key holds; the rest, of models of more
// than 64 fields (whose statements are not cached), are words after it.
type fieldBits struct {
	lo   uint64
	more []uint64 // fields 64 on; nil when none of them is in the set
}

func (b *fieldBits) add(i int) {
	if i < 64 {
		b.lo |= 1 << i
		return
	}
	w := i/64 - 1
	for len(b.more) <= w {
		b.more = append(b.more, 0)
	}
	b.more[w] |= 1 << (i % 64)
}

func (b fieldBits) has(i int) bool {
	if i < 64 {
		return b.lo&(1<<i) != 0
	}
	w := i/64 - 1
	return w < len(b.more) && b.more[w]&(1<<(i%64)) != 0
}

// insertMask returns the fields an INSERT of rv leaves to their column
// default (Field.LeftToDefault).
func insertMask(m *Model, rv reflect.Value) fieldBits {
	var mask fieldBits
	for i, f := range m.Fields {
		if f.LeftToDefault(rv) {
			mask.add(i)
		}
	}
	return mask
}

func writeCols(b *strings.Builder, fields []*Field) {
	for i, f := range fields {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(f.quoted)
	}
}

func writeReturning(b *strings.Builder, fields []*Field) {
	if len(fields) == 0 {
		return
	}
	b.WriteString(" RETURNING ")
	writeCols(b, fields)
}

// insertShape builds INSERT INTO t (cols) VALUES (…) [RETURNING …].
func insertShape(m *Model, mask fieldBits) (cols, returning []*Field, text string) {
	for i, f := range m.Fields {
		switch {
		case !f.Writable():
			returning = append(returning, f)
		case mask.has(i):
			returning = append(returning, f)
		default:
			cols = append(cols, f)
		}
	}
	var b strings.Builder
	b.WriteString("INSERT INTO ")
	b.WriteString(m.quoted)
	if len(cols) == 0 {
		b.WriteString(" DEFAULT VALUES")
		return cols, returning, b.String()
	}
	b.WriteString(" (")
	writeCols(&b, cols)
	b.WriteString(") VALUES (")
	for i := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(i + 1))
	}
	b.WriteByte(')')
	return cols, returning, b.String()
}

// InsertStruct builds INSERT INTO table (writable columns) VALUES (…) for
// struct v (or a pointer to one). Identity and readonly/generated columns
// are not written but returned (RETURNING), as are defaulted columns left
// out. A field with a default: tag that holds its Go zero value (a nil
// pointer included) is left out, so the column default applies, and read
// back; any other value is written as is (Field.LeftToDefault: use a
// pointer or a Null type to store an explicit zero). The SQL text is built
// once per model and shape and cached.
func InsertStruct(v any, opts ...StructOption) Statement {
	const op = "InsertStruct"
	m, rv, err := structModel(op, v)
	if err != nil {
		return Statement{err: err}
	}
	if err := applyOpts(opts).check(op, 0); err != nil { // no option changes an insert any more
		return Statement{err: err}
	}
	mask := insertMask(m, rv)
	s, _ := m.cachedShape(shapeKey{kind: kindInsert, mask: mask.lo}, func() (*Template, error) {
		cols, ret, text := insertShape(m, mask)
		var b strings.Builder
		b.WriteString(text)
		writeReturning(&b, ret)
		return &Template{sql: b.String(), params: cols, returning: ret}, nil
	})
	return s.bind(rv)
}

// UpdateStructByPK builds UPDATE table SET … WHERE pk = … for struct v
// (Model.UpdateByKey, bound to v). It writes every writable non-key column
// (or only those named by OnlyColumns), sets on_update columns to their
// expression, and, when the model has a version column, adds AND version
// = <current value> and sets version = version + 1: zero rows affected
// then means a stale write. The version, on_update and readonly columns
// are returned (RETURNING). It takes UpdateByKey's options.
func UpdateStructByPK(v any, opts ...StructOption) Statement {
	return bindByKey("UpdateStructByPK", v, func(m *Model) (*Template, error) { return m.UpdateByKey(opts...) })
}

// bindByKey binds struct v to the template of its model that build
// returns.
func bindByKey(op string, v any, build func(*Model) (*Template, error)) Statement {
	m, rv, err := structModel(op, v)
	if err != nil {
		return Statement{err: err}
	}
	t, err := build(m)
	if err != nil {
		return Statement{err: wrapOp(op, err)}
	}
	return t.bind(rv)
}

// UpsertStruct builds INSERT … ON CONFLICT (conflictCols) DO UPDATE SET
// col = EXCLUDED.col for struct v (Model.Upsert, bound to v).
// conflictCols defaults to the primary key; updateCols defaults to every
// written column outside the conflict target, and an empty (non-nil) list
// means DO NOTHING (then a conflicting row returns no row). on_update
// columns are set to their expression and a version column is
// incremented. A defaulted field holding its zero value is written as
// DEFAULT (InsertStruct's rule), so EXCLUDED holds the column default and
// a conflicting row in the update set takes that default too. Identity
// columns in the target are written; the others, readonly, generated,
// defaulted-and-omitted and version columns are returned.
func UpsertStruct(v any, conflictCols, updateCols []string, opts ...StructOption) Statement {
	const op = "UpsertStruct"
	m, rv, err := structModel(op, v)
	if err != nil {
		return Statement{err: err}
	}
	if err := applyOpts(opts).check(op, 0); err != nil { // the parameters say it all
		return Statement{err: err}
	}
	var o structOpts // the options, without the closures Upsert takes
	if len(conflictCols) > 0 {
		o.target = conflictCols
		o.use(optTarget)
	}
	switch {
	case updateCols == nil:
	case len(updateCols) == 0:
		o.nothing = true
		o.use(optNothing)
	default:
		o.only = updateCols
		o.use(optOnly)
	}
	u, err := m.upsertFor(o)
	if err != nil {
		return Statement{err: wrapOp(op, err)}
	}
	t, err := u.forValue(rv)
	if err != nil {
		return Statement{err: wrapOp(op, err)}
	}
	return t.bind(rv)
}

// DeleteByPK builds DELETE FROM table WHERE pk = … for struct v (only its
// primary key fields are read; Model.DeleteByKey, bound to v). It deletes
// for real; soft delete is the repository's business. It takes
// DeleteByKey's options (MatchVersion, AndWhere, ReturningColumns).
func DeleteByPK(v any, opts ...StructOption) Statement {
	return bindByKey("DeleteByPK", v, func(m *Model) (*Template, error) { return m.DeleteByKey(opts...) })
}

// SelectModel starts a SELECT of every column of m from its table, with
// the primary key as keyset tie-breaker.
func SelectModel(m *Model) SelectBuilder {
	if m == nil || m.Table == "" {
		return SelectBuilder{err: errorf("SelectModel", ErrEmptyTable, "model without table")}
	}
	b := SelectBuilder{}
	b.cols = make([]part, len(m.Fields))
	for i, f := range m.Fields {
		b.cols[i] = part{text: f.quoted}
	}
	b.from = []part{{text: m.quoted}}
	for _, f := range m.PK {
		b.tieBreak = append(b.tieBreak, f.Column)
	}
	return b
}
