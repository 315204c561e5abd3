package sqlb

import (
	"reflect"
	"strings"
)

// Template is a statement of one model by primary key, built once per
// model and options and cached on the model: SQL text whose $n
// placeholders bind Params in order, and the fields its RETURNING clause
// yields. It is immutable and shared; Bind turns it into a Statement for
// one struct value. Model.SelectByKey, UpdateByKey and DeleteByKey make
// them, and InsertStruct, UpdateStructByPK and DeleteByPK bind them; a
// repository binds its own values (a key given by the caller, a clock)
// to Params.
type Template struct {
	model     *Model
	sql       string
	params    []*Field
	returning []*Field
	before    bool
}

// SQL returns the statement text.
func (t *Template) SQL() string { return t.sql }

// Params lists the fields whose values the placeholders bind, in order
// ($1 first). A field may appear twice (ReturningBefore binds the key
// again).
func (t *Template) Params() []*Field { return t.params }

// Returning lists the fields RETURNING yields, in order; with
// ReturnsBefore, every column of the row as it was follows them.
func (t *Template) Returning() []*Field { return t.returning }

// ReturnsBefore reports whether RETURNING ends with every model column of
// the row as it was before the update (see ReturningBefore).
func (t *Template) ReturnsBefore() bool { return t.before }

// Bind returns the statement with its parameters read from struct v (or
// a pointer to one) of the template's model.
func (t *Template) Bind(v any) Statement {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return Statement{err: errorf("Template.Bind", ErrInvalidValue, "nil %T", v)}
		}
		rv = rv.Elem()
	}
	if rv.Type() != t.model.Type {
		return Statement{err: errorf("Template.Bind", ErrInvalidValue, "%T is not the template's model", v)}
	}
	return t.bind(rv)
}

func (t *Template) bind(rv reflect.Value) Statement {
	args := make([]any, len(t.params))
	for i, f := range t.params {
		args[i] = f.Value(rv)
	}
	return Statement{sql: t.sql, args: args, returning: t.returning}
}

// The options of statements by key. Each applies to the kinds named in
// its doc comment; given to another kind it is an error (ErrModel).

// ExceptColumns leaves columns out of UpdateByKey's SET list; they are
// read back (RETURNING) instead, like read-only ones.
func ExceptColumns(cols ...string) StructOption {
	return func(o *structOpts) { o.except = append(o.except, cols...); o.use(optExcept) }
}

// SkipOnUpdate leaves on_update columns alone in UpdateByKey (neither set
// nor returned): for a change of state that is not an edit of the row,
// such as a soft delete.
func SkipOnUpdate() StructOption {
	return func(o *structOpts) { o.skipOnUpdate = true; o.use(optSkipOnUpdate) }
}

// AndWhere adds conditions after the key (and version) of SelectByKey,
// UpdateByKey and DeleteByKey, such as a soft-delete scope. They are
// rendered once, into the cached text, so they may carry no values
// (IsNull("deleted_at"), Raw("NOT archived")); one that does is an error.
func AndWhere(conds ...Sqlizer) StructOption {
	return func(o *structOpts) { o.where = append(o.where, conds...); o.use(optWhere) }
}

// ReturningColumns replaces the RETURNING list of UpdateByKey and
// DeleteByKey (none given: no RETURNING clause).
func ReturningColumns(cols ...string) StructOption {
	return func(o *structOpts) {
		o.returning, o.returningSet = append([]string(nil), cols...), true
		o.use(optReturning)
	}
}

// MatchVersion makes DeleteByKey delete only at the version the struct
// holds (AND version = $n), as UpdateByKey always does: zero rows
// affected then means the row is gone or stale. Without a version column
// it changes nothing.
func MatchVersion() StructOption {
	return func(o *structOpts) { o.matchVersion = true; o.use(optMatchVersion) }
}

// ReturningBefore makes UpdateByKey also return the row as it was before
// the update, after its own RETURNING columns: every model column, in
// model order. The row is read by a FROM item that locks it first
// (SELECT … FOR UPDATE), so the image is the committed row the update
// then changes, even under concurrent writers. The key is bound again,
// after the SET values (Params lists it twice).
func ReturningBefore() StructOption {
	return func(o *structOpts) { o.before = true; o.use(optBefore) }
}

// Option bits, to refuse an option a statement kind does not take.
const (
	optOnly uint16 = 1 << iota
	optExcept
	optSkipOnUpdate
	optWhere
	optReturning
	optMatchVersion
	optBefore
	optTarget
	optNothing
)

var optNames = [...]string{"OnlyColumns", "ExceptColumns", "SkipOnUpdate", "AndWhere", "ReturningColumns", "MatchVersion", "ReturningBefore", "UpsertOn", "UpsertDoNothing"}

func (o *structOpts) use(bit uint16) { o.used |= bit }

// check refuses options outside allowed, naming the first.
func (o structOpts) check(op string, allowed uint16) error {
	if bad := o.used &^ allowed; bad != 0 {
		for i, name := range optNames {
			if bad&(1<<i) != 0 {
				return errorf(op, ErrModel, "option %s does not apply", name)
			}
		}
	}
	return nil
}

// key identifies the options for the statement cache ("" for none, so
// calls without options build no key).
func (o structOpts) key() (string, error) {
	if o.used == 0 {
		return "", nil
	}
	var b strings.Builder
	b.Grow(64)
	writeKeyList(&b, o.only)
	writeKeyList(&b, o.except)
	for _, c := range o.where {
		text, err := conditionText(c)
		if err != nil {
			return "", err
		}
		b.WriteString(text)
		b.WriteByte(0)
	}
	b.WriteByte(1)
	writeKeyList(&b, o.returning)
	for _, on := range []bool{o.skipOnUpdate, o.returningSet, o.matchVersion, o.before} {
		if on {
			b.WriteByte('1')
		} else {
			b.WriteByte('0')
		}
	}
	o.upsertKeyPart(&b)
	return b.String(), nil
}

// writeKeyList writes names to a cache key, each ended by 0, the list by 1.
func writeKeyList(b *strings.Builder, names []string) {
	for _, n := range names {
		b.WriteString(n)
		b.WriteByte(0)
	}
	b.WriteByte(1)
}

// conditionText renders a condition of AndWhere, which may carry no
// values: its text is cached.
func conditionText(c Sqlizer) (string, error) {
	if c == nil {
		return "", errorf("AndWhere", ErrInvalidValue, "nil condition")
	}
	text, args, err := c.ToSql()
	if err != nil {
		return "", wrapOp("AndWhere", err)
	}
	if len(args) > 0 {
		return "", errorf("AndWhere", ErrInvalidValue, "condition %q carries %d values: a cached statement can take none", text, len(args))
	}
	return text, nil
}

// template returns the cached template of kind for opts, building it with
// build on first use.
func (m *Model) template(op string, kind uint8, allowed uint16, opts []StructOption, build func(structOpts) (*Template, error)) (*Template, error) {
	o := applyOpts(opts)
	if err := o.check(op, allowed); err != nil {
		return nil, err
	}
	if len(m.PK) == 0 {
		return nil, errorf(op, ErrModel, "%s has no primary key", m.Name)
	}
	extra, err := o.key()
	if err != nil {
		return nil, wrapOp(op, err)
	}
	t, err := m.cachedShape(shapeKey{kind: kind, extra: extra}, func() (*Template, error) { return build(o) })
	if err != nil {
		return nil, wrapOp(op, err)
	}
	return t, nil
}

// keyConds returns pk = $n conditions, in key order (the values are
// placeholders: a template binds its own).
func (m *Model) keyConds(qualifier string) []Sqlizer {
	conds := make([]Sqlizer, len(m.PK))
	for i, f := range m.PK {
		conds[i] = Eq(qualifier+f.quoted, 0)
	}
	return conds
}

// SelectByKey returns the template of SELECT every column FROM the table
// WHERE key [AND conditions of AndWhere]; its Params are the key fields.
func (m *Model) SelectByKey(opts ...StructOption) (*Template, error) {
	return m.template("SelectByKey", kindSelect, optWhere, opts, func(o structOpts) (*Template, error) {
		cols := make([]string, len(m.Fields))
		for i, f := range m.Fields {
			cols[i] = f.quoted
		}
		b := Select(cols...).From(m.quoted).Where(m.keyConds("")...).Where(o.where...)
		return m.rendered(b, m.PK, nil)
	})
}

// ExistsByKey returns the template of SELECT EXISTS (SELECT 1 FROM the
// table WHERE key [AND conditions of AndWhere]); its Params are the key
// fields. It tells a write by key that touched no row whether the row is
// there (and so stale) or gone.
func (m *Model) ExistsByKey(opts ...StructOption) (*Template, error) {
	return m.template("ExistsByKey", kindExists, optWhere, opts, func(o structOpts) (*Template, error) {
		sub := Select().ColumnRaw("1").From(m.quoted).Where(m.keyConds("")...).Where(o.where...)
		return m.rendered(Select().ColumnRaw("EXISTS (?)", sub), m.PK, nil)
	})
}

// DeleteByKey returns the template of DELETE FROM the table WHERE key
// [AND version, with MatchVersion] [AND conditions of AndWhere]
// [RETURNING columns of ReturningColumns].
func (m *Model) DeleteByKey(opts ...StructOption) (*Template, error) {
	return m.template("DeleteByKey", kindDelete, optWhere|optMatchVersion|optReturning, opts, func(o structOpts) (*Template, error) {
		params := append([]*Field(nil), m.PK...)
		b := Delete(m.quoted).Where(m.keyConds("")...)
		if o.matchVersion && m.Version != nil {
			params = append(params, m.Version)
			b = b.Where(Eq(m.Version.quoted, 0))
		}
		ret, err := m.fieldsNamed("ReturningColumns", o.returning)
		if err != nil {
			return nil, err
		}
		b = b.Where(o.where...).Returning(quotedNames(ret)...) // none: no RETURNING
		return m.rendered(b, params, ret)
	})
}

// UpdateByKey returns the template of UPDATE … SET every writable
// non-key column (OnlyColumns: those named; ExceptColumns: but those),
// the version bump and on_update expressions (not with SkipOnUpdate), in
// model order, WHERE key [AND version = the struct's] [AND conditions of
// AndWhere] RETURNING the version, on_update, read-only and excepted
// columns (or those of ReturningColumns) [and the row before, with
// ReturningBefore]. A model with nothing to set is ErrIncomplete.
func (m *Model) UpdateByKey(opts ...StructOption) (*Template, error) {
	allowed := optOnly | optExcept | optSkipOnUpdate | optWhere | optReturning | optBefore
	return m.template("UpdateByKey", kindUpdate, allowed, opts, func(o structOpts) (*Template, error) { return m.updateTemplate(o) })
}

func (m *Model) updateTemplate(o structOpts) (*Template, error) {
	only, err := m.columnSet("OnlyColumns", o.only)
	if err != nil {
		return nil, err
	}
	except, err := m.columnSet("ExceptColumns", o.except)
	if err != nil {
		return nil, err
	}
	b := Update(m.quoted)
	var set, ret []*Field
	sets := false // whether SET has any column: its own value, a bump or an expression
	for _, f := range m.Fields {
		switch {
		case f.PK:
			continue
		case f.Version:
			b = b.Set(f.Column, Raw(f.quoted+" + 1"))
			ret = append(ret, f)
		case f.OnUpdate != "" && o.skipOnUpdate:
			continue
		case f.OnUpdate != "":
			b = b.Set(f.Column, Raw(f.OnUpdate))
			ret = append(ret, f)
		case !f.Writable() || except[f]:
			ret = append(ret, f)
			continue
		case only != nil && !only[f]:
			continue
		default:
			b = b.Set(f.Column, 0) // a placeholder: the value is bound per call
			set = append(set, f)
		}
		sets = true
	}
	if !sets {
		return nil, errorf("UpdateByKey", ErrIncomplete, "%s has no column to update", m.Name)
	}
	if o.returningSet {
		if ret, err = m.fieldsNamed("ReturningColumns", o.returning); err != nil {
			return nil, err
		}
	}
	params := set
	if o.before {
		b = m.withBefore(b)
		params = append(params, m.PK...)
	}
	params = append(params, m.PK...)
	b = b.Where(m.keyConds("")...)
	if m.Version != nil {
		params = append(params, m.Version)
		b = b.Where(Eq(m.Version.quoted, 0))
	}
	b = b.Where(o.where...).Returning(quotedNames(ret)...) // none: no RETURNING
	if o.before {
		for _, f := range m.Fields {
			b = b.ReturningRaw("(" + beforeAlias + "." + beforeCol + ")." + f.quoted)
		}
	}
	t, err := m.rendered(b, params, ret)
	if err != nil {
		return nil, err
	}
	t.before = o.before
	return t, nil
}

// beforeAlias names the row image in ReturningBefore's FROM item;
// beforeCol is its only column, the whole row, named so as not to clash
// with the table's: the update's unqualified names keep their meaning.
const (
	beforeAlias = `"norm_before"`
	beforeCol   = `"norm_row"`
)

// withBefore adds ReturningBefore's FROM item: (SELECT the row FOR
// UPDATE) AS norm_before, by key.
func (m *Model) withBefore(b UpdateBuilder) UpdateBuilder {
	sub := Select().ColumnRaw(`"norm_b" AS ` + beforeCol).From(As(m.quoted, "norm_b")).Where(m.keyConds(`"norm_b".`)...).ForUpdate()
	return b.From(As(sub, "norm_before"))
}

// rendered renders b into a template binding params, checking that the
// text binds exactly as many values as params lists.
func (m *Model) rendered(b interface{ ToSQL() (string, []any, error) }, params, ret []*Field) (*Template, error) {
	text, args, err := b.ToSQL()
	if err != nil {
		return nil, err
	}
	if len(args) != len(params) {
		return nil, errorf("template", ErrModel, "statement of %s binds %d values, want %d", m.Name, len(args), len(params))
	}
	return &Template{sql: text, params: params, returning: ret}, nil
}

// columnSet resolves named columns of a SET list option: nil for none.
func (m *Model) columnSet(opt string, cols []string) (map[*Field]bool, error) {
	if len(cols) == 0 {
		return nil, nil
	}
	set := make(map[*Field]bool, len(cols))
	for _, c := range cols {
		f := m.Field(c)
		if f == nil {
			return nil, errorf(opt+"("+quoteForMsg(c)+")", ErrModel, "%s has no column %s", m.Name, quoteForMsg(c))
		}
		if f.PK || !f.Writable() {
			return nil, errorf(opt+"("+quoteForMsg(c)+")", ErrModel, "column %s is not updatable", quoteForMsg(c))
		}
		set[f] = true
	}
	return set, nil
}

// fieldsNamed resolves named columns, in the order given.
func (m *Model) fieldsNamed(opt string, cols []string) ([]*Field, error) {
	out := make([]*Field, 0, len(cols))
	for _, c := range cols {
		f := m.Field(c)
		if f == nil {
			return nil, errorf(opt+"("+quoteForMsg(c)+")", ErrModel, "%s has no column %s", m.Name, quoteForMsg(c))
		}
		out = append(out, f)
	}
	return out, nil
}

func quotedNames(fields []*Field) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f.quoted
	}
	return out
}
