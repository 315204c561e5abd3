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
	only []string
}

// OmitZeroDefaults is kept for compatibility and changes nothing: every
// struct insert now leaves a defaulted field holding its zero value to the
// column default (see Field.LeftToDefault).
//
// Deprecated: it is the default behavior.
func OmitZeroDefaults() StructOption { return func(*structOpts) {} }

// OnlyColumns restricts the SET list of UpdateStructByPK to the given
// columns (a partial update). Version and on_update columns are still
// maintained.
func OnlyColumns(cols ...string) StructOption {
	return func(o *structOpts) { o.only = append(o.only, cols...) }
}

// stmtCache holds the SQL text of fixed-shape statements of one model.
type stmtCache struct{ m sync.Map }

type shapeKey struct {
	kind  uint8
	mask  uint64
	extra string
}

type shape struct {
	sql       string
	args      []*Field // fields bound as arguments, in order
	returning []*Field
}

const (
	kindInsert uint8 = iota + 1
	kindUpdate
	kindUpsert
	kindDelete
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

func (m *Model) cachedShape(k shapeKey, build func() (*shape, error)) (*shape, error) {
	cacheable := len(m.Fields) <= 64
	if cacheable {
		if s, ok := m.stmts.m.Load(k); ok {
			return s.(*shape), nil
		}
	}
	s, err := build()
	if err != nil {
		return nil, err
	}
	if cacheable {
		m.stmts.m.Store(k, s)
	}
	return s, nil
}

func (s *shape) bind(rv reflect.Value, extra ...any) Statement {
	args := make([]any, 0, len(s.args)+len(extra))
	for _, f := range s.args {
		args = append(args, f.Value(rv))
	}
	args = append(args, extra...)
	return Statement{sql: s.sql, args: args, returning: s.returning}
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

// insertMask marks the fields an INSERT of rv leaves to their column
// default (Field.LeftToDefault).
func insertMask(m *Model, rv reflect.Value) uint64 {
	var mask uint64
	for i, f := range m.Fields {
		if i < 64 && f.LeftToDefault(rv) {
			mask |= 1 << i
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
func insertShape(m *Model, mask uint64) (cols, returning []*Field, text string) {
	for i, f := range m.Fields {
		switch {
		case !f.Writable():
			returning = append(returning, f)
		case i < 64 && mask&(1<<i) != 0:
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
	_ = applyOpts(opts) // no option changes an insert any more
	mask := insertMask(m, rv)
	s, _ := m.cachedShape(shapeKey{kind: kindInsert, mask: mask}, func() (*shape, error) {
		cols, ret, text := insertShape(m, mask)
		var b strings.Builder
		b.WriteString(text)
		writeReturning(&b, ret)
		return &shape{sql: b.String(), args: cols, returning: ret}, nil
	})
	return s.bind(rv)
}

// UpdateStructByPK builds UPDATE table SET … WHERE pk = … for struct v. It
// writes every writable non-key column (or only those named by
// OnlyColumns), sets on_update columns to their expression, and, when the
// model has a version column, adds AND version = <current value> and sets
// version = version + 1: zero rows affected then means a stale write. The
// version, on_update and readonly columns are returned (RETURNING).
func UpdateStructByPK(v any, opts ...StructOption) Statement {
	const op = "UpdateStructByPK"
	m, rv, err := structModel(op, v)
	if err != nil {
		return Statement{err: err}
	}
	if len(m.PK) == 0 {
		return Statement{err: errorf(op, ErrModel, "%s has no primary key", m.Name)}
	}
	o := applyOpts(opts)
	key := shapeKey{kind: kindUpdate}
	if len(o.only) > 0 {
		key.extra = strings.Join(o.only, "\x00")
	}
	s, err := m.cachedShape(key, func() (*shape, error) { return updateShape(m, o.only) })
	if err != nil {
		return Statement{err: wrapOp(op, err)}
	}
	return s.bind(rv)
}

func updateShape(m *Model, only []string) (*shape, error) {
	var onlySet map[string]bool
	if len(only) > 0 {
		onlySet = map[string]bool{}
		for _, c := range only {
			f := m.Field(c)
			if f == nil {
				return nil, errorf("OnlyColumns("+quoteForMsg(c)+")", ErrModel, "%s has no column %s", m.Name, quoteForMsg(c))
			}
			if f.PK || !f.Writable() {
				return nil, errorf("OnlyColumns("+quoteForMsg(c)+")", ErrModel, "column %s is not updatable", quoteForMsg(c))
			}
			onlySet[c] = true
		}
	}
	var (
		b    strings.Builder
		args []*Field
		ret  []*Field
		n    int
	)
	b.WriteString("UPDATE ")
	b.WriteString(m.quoted)
	b.WriteString(" SET ")
	sep := func() {
		if n > 0 {
			b.WriteString(", ")
		}
		n++
	}
	for _, f := range m.Fields {
		switch {
		case f.PK:
		case f.Version:
			sep()
			b.WriteString(f.quoted + " = " + f.quoted + " + 1")
			ret = append(ret, f)
		case f.OnUpdate != "":
			sep()
			b.WriteString(f.quoted + " = " + f.OnUpdate)
			ret = append(ret, f)
		case !f.Writable():
			ret = append(ret, f)
		case onlySet != nil && !onlySet[f.Column]:
		default:
			sep()
			args = append(args, f)
			b.WriteString(f.quoted + " = $" + strconv.Itoa(len(args)))
		}
	}
	if n == 0 {
		return nil, errorf("UpdateStructByPK", ErrIncomplete, "%s has no column to update", m.Name)
	}
	b.WriteString(" WHERE ")
	for i, f := range m.PK {
		if i > 0 {
			b.WriteString(" AND ")
		}
		args = append(args, f)
		b.WriteString(f.quoted + " = $" + strconv.Itoa(len(args)))
	}
	if m.Version != nil {
		args = append(args, m.Version)
		b.WriteString(" AND " + m.Version.quoted + " = $" + strconv.Itoa(len(args)))
	}
	writeReturning(&b, ret)
	return &shape{sql: b.String(), args: args, returning: ret}, nil
}

// UpsertStruct builds INSERT … ON CONFLICT (conflictCols) DO UPDATE SET
// col = EXCLUDED.col for struct v. conflictCols defaults to the primary
// key; updateCols defaults to every written column (not identity, readonly
// or generated) outside the conflict target. on_update columns are set to
// their expression and a version column is incremented. With nothing to
// update it is DO NOTHING (and then a conflicting row returns no row). The
// inserted columns follow InsertStruct's rules: a defaulted field holding
// its zero value is left out, so EXCLUDED holds the column default and a
// conflicting row in the update set takes that default too. Identity,
// readonly, defaulted-and-omitted and version columns are returned.
func UpsertStruct(v any, conflictCols, updateCols []string, opts ...StructOption) Statement {
	const op = "UpsertStruct"
	m, rv, err := structModel(op, v)
	if err != nil {
		return Statement{err: err}
	}
	_ = applyOpts(opts) // no option changes an upsert's insert any more
	mask := insertMask(m, rv)
	key := shapeKey{kind: kindUpsert, mask: mask, extra: strings.Join(conflictCols, "\x00") + "\x01" + strings.Join(updateCols, "\x00")}
	if updateCols == nil {
		key.extra += "\x02" // nil (every column) differs from empty (nothing)
	}
	s, err := m.cachedShape(key, func() (*shape, error) { return upsertShape(m, mask, conflictCols, updateCols) })
	if err != nil {
		return Statement{err: wrapOp(op, err)}
	}
	return s.bind(rv)
}

func upsertShape(m *Model, mask uint64, conflictCols, updateCols []string) (*shape, error) {
	cols, ret, text := insertShape(m, mask)
	var b strings.Builder
	b.WriteString(text)
	target := conflictCols
	if len(target) == 0 {
		for _, f := range m.PK {
			target = append(target, f.Column)
		}
	}
	if len(target) == 0 {
		return nil, errorf("UpsertStruct", ErrModel, "%s has no primary key and no conflict columns", m.Name)
	}
	inTarget := map[string]bool{}
	b.WriteString(" ON CONFLICT (")
	for i, c := range target {
		if m.Field(c) == nil {
			return nil, errorf("UpsertStruct", ErrModel, "%s has no column %s", m.Name, quoteForMsg(c))
		}
		inTarget[c] = true
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quoteIdent(c))
	}
	b.WriteByte(')')
	inserted := map[string]bool{}
	for _, f := range cols {
		inserted[f.Column] = true
	}
	// A column left to its default is in EXCLUDED with that default, so a
	// conflicting row takes it too: the upsert stores what an insert would.
	var set []string
	if updateCols == nil {
		for _, f := range m.Fields {
			if f.Writable() && !inTarget[f.Column] && !f.Version && f.OnUpdate == "" && !f.PK {
				set = append(set, f.Column)
			}
		}
	} else {
		for _, c := range updateCols {
			f := m.Field(c)
			if f == nil || !f.Writable() {
				return nil, errorf("UpsertStruct", ErrModel, "update column %s is not a written column of %s", quoteForMsg(c), m.Name)
			}
			set = append(set, c)
		}
	}
	table := quoteIdent(m.Table)
	n := 0
	var extra []string
	for _, f := range m.Fields {
		if f.Version {
			extra = append(extra, f.quoted+" = "+table+"."+f.quoted+" + 1")
			if inserted[f.Column] {
				ret = append(ret, f)
			}
		} else if f.OnUpdate != "" && len(set) > 0 {
			extra = append(extra, f.quoted+" = "+f.OnUpdate)
		}
	}
	if len(set) == 0 {
		b.WriteString(" DO NOTHING")
	} else {
		b.WriteString(" DO UPDATE SET ")
		for _, c := range set {
			if n > 0 {
				b.WriteString(", ")
			}
			n++
			q := quoteIdent(c)
			b.WriteString(q + " = EXCLUDED." + q)
		}
		for _, e := range extra {
			b.WriteString(", " + e)
		}
	}
	writeReturning(&b, ret)
	return &shape{sql: b.String(), args: cols, returning: ret}, nil
}

// DeleteByPK builds DELETE FROM table WHERE pk = … for struct v (only its
// primary key fields are read). It deletes for real; soft delete is the
// repository's business.
func DeleteByPK(v any) Statement {
	const op = "DeleteByPK"
	m, rv, err := structModel(op, v)
	if err != nil {
		return Statement{err: err}
	}
	if len(m.PK) == 0 {
		return Statement{err: errorf(op, ErrModel, "%s has no primary key", m.Name)}
	}
	s, _ := m.cachedShape(shapeKey{kind: kindDelete}, func() (*shape, error) {
		var b strings.Builder
		b.WriteString("DELETE FROM ")
		b.WriteString(m.quoted)
		b.WriteString(" WHERE ")
		for i, f := range m.PK {
			if i > 0 {
				b.WriteString(" AND ")
			}
			b.WriteString(f.quoted + " = $" + strconv.Itoa(i+1))
		}
		return &shape{sql: b.String(), args: m.PK}, nil
	})
	return s.bind(rv)
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
