package sqlb

import (
	"reflect"
	"strings"
)

// Upsert is the INSERT … ON CONFLICT of one model for one set of options,
// resolved by Model.Upsert: the columns a row writes, the conflict target
// and the action. For binds a struct into a single-row Template, cached on
// the model per options and per set of fields left to their default;
// Builder makes a multi-row statement with the same clause. It is the one
// place sqlb and repo build upserts (UpsertStruct binds it too).
type Upsert struct {
	m        *Model
	key      string   // the options, for the template cache
	fields   []*Field // written columns, model order
	pos      []int    // position of each in m.Fields (the insert mask's bit)
	conflict Conflict
	action   ConflictAction
	ret      []*Field // ReturningColumns; nil: the default (see For)
	retSet   bool
}

// UpsertOn names the conflict target columns of Model.Upsert (default:
// the primary key). When they are a unique group with a partial-index
// predicate (a soft-delete model's, Constraint.Where), the target carries
// it, so PostgreSQL finds the index. Identity columns among them are
// written (an upsert on an identity key).
func UpsertOn(cols ...string) StructOption {
	return func(o *structOpts) { o.target = append(o.target, cols...); o.use(optTarget) }
}

// UpsertOnConstraint makes the conflict target of Model.Upsert a named
// unique constraint.
func UpsertOnConstraint(name string) StructOption {
	return func(o *structOpts) { o.constraint = name; o.use(optTarget) }
}

// UpsertDoNothing makes Model.Upsert leave a conflicting row as it is (ON
// CONFLICT DO NOTHING).
func UpsertDoNothing() StructOption {
	return func(o *structOpts) { o.nothing = true; o.use(optNothing) }
}

// Upsert resolves the upsert of m for opts. The action is DO UPDATE SET
// each written column outside the target from EXCLUDED (OnlyColumns: those
// named, in that order, none allowed; ExceptColumns: but those), the
// version bump and on_update expressions, [WHERE the conditions of
// AndWhere, which the conflicting row must meet]; with nothing at all to
// set, or UpsertDoNothing, DO NOTHING. ReturningColumns sets the RETURNING
// list. An unknown column, a version or on_update column in OnlyColumns,
// or no target (no key and no UpsertOn) is ErrModel.
func (m *Model) Upsert(opts ...StructOption) (*Upsert, error) {
	o := applyOpts(opts)
	if err := o.check("Upsert", optOnly|optExcept|optWhere|optReturning|optTarget|optNothing); err != nil {
		return nil, err
	}
	return m.upsertFor(o)
}

// upsertFor returns the upsert of o, resolved once per model and options.
func (m *Model) upsertFor(o structOpts) (*Upsert, error) {
	const op = "Upsert"
	key, err := o.key()
	if err != nil {
		return nil, wrapOp(op, err)
	}
	if v, ok := m.stmts.upserts.Load(key); ok {
		return v.(*Upsert), nil
	}
	u := &Upsert{m: m, key: key}
	target, err := u.resolveTarget(o)
	if err != nil {
		return nil, err
	}
	for i, f := range m.Fields {
		if f.Writable() || f.Identity && contains(target, f.Column) {
			u.fields = append(u.fields, f)
			u.pos = append(u.pos, i)
		}
	}
	if u.action, err = u.resolveAction(o, target); err != nil {
		return nil, err
	}
	if o.returningSet {
		if u.ret, err = m.fieldsNamed("ReturningColumns", o.returning); err != nil {
			return nil, err
		}
		u.retSet = true
	}
	v, _ := m.stmts.upserts.LoadOrStore(key, u)
	return v.(*Upsert), nil
}

// resolveTarget sets u.conflict and returns the target columns (none for
// a constraint).
func (u *Upsert) resolveTarget(o structOpts) ([]string, error) {
	m := u.m
	if o.constraint != "" {
		if len(o.target) > 0 {
			return nil, errorf("Upsert", ErrModel, "UpsertOn and UpsertOnConstraint both name a target")
		}
		u.conflict = ConflictOnConstraint(o.constraint)
		return nil, u.conflict.err
	}
	target := o.target
	if len(target) == 0 {
		for _, f := range m.PK {
			target = append(target, f.Column)
		}
	}
	if len(target) == 0 {
		return nil, errorf("Upsert", ErrModel, "%s has no primary key: name the conflict columns", m.Name)
	}
	for _, c := range target {
		if m.Field(c) == nil {
			return nil, errorf("Upsert", ErrModel, "%s has no column %s", m.Name, quoteForMsg(c))
		}
	}
	u.conflict = ConflictOn(target...)
	// A unique group migrate made a partial index (a soft-delete model's)
	// is found by ON CONFLICT only with its predicate.
	if g := m.UniqueOn(target...); g != nil && g.Where != "" {
		u.conflict = u.conflict.Where(Raw(g.Where))
	}
	return target, u.conflict.err
}

// resolveAction builds the DO UPDATE (or DO NOTHING) of u.
func (u *Upsert) resolveAction(o structOpts, target []string) (ConflictAction, error) {
	m := u.m
	if o.nothing {
		return DoNothing(), nil
	}
	var set []string
	if o.used&optOnly != 0 {
		for _, c := range o.only {
			f := m.Field(c)
			if f == nil || !f.Writable() || f.Version || f.OnUpdate != "" {
				return ConflictAction{}, errorf("Upsert", ErrModel, "column %s of %s cannot be updated by an upsert", quoteForMsg(c), m.Name)
			}
			set = append(set, c)
		}
	} else {
		except, err := m.columnSet("ExceptColumns", o.except)
		if err != nil {
			return ConflictAction{}, err
		}
		for _, f := range m.Fields {
			if f.Writable() && !contains(target, f.Column) && !f.PK && !f.Version && f.OnUpdate == "" && !except[f] {
				set = append(set, f.Column)
			}
		}
	}
	action := DoUpdate().SetExcluded(set...)
	sets := len(set) > 0         // whether DO UPDATE sets anything at all
	table := quoteIdent(m.Table) // the conflicting row, in DO UPDATE
	for _, f := range m.Fields {
		switch {
		case f.Version:
			action = action.Set(f.Column, Raw(table+"."+f.quoted+" + 1"))
			sets = true
		case f.OnUpdate != "":
			action = action.Set(f.Column, Raw(f.OnUpdate))
			sets = true
		}
	}
	if !sets {
		return DoNothing(), nil
	}
	switch len(o.where) {
	case 0:
	case 1:
		action = action.Where(o.where[0])
	default:
		action = action.Where(And(o.where...))
	}
	return action, nil
}

// Fields lists the columns a row of the upsert writes, in model order:
// every writable one, and identity columns of the target.
func (u *Upsert) Fields() []*Field { return u.fields }

// Builder returns the multi-row upsert of rows, each holding one value per
// Fields (Default where a column is left to its default), with
// ReturningColumns' RETURNING clause when it was given.
func (u *Upsert) Builder(rows [][]any) InsertBuilder {
	// u.ret is nil without ReturningColumns, and Returning of no column
	// adds no clause.
	return Insert(u.m.quoted).Columns(fieldNames(u.fields)...).Rows(rows).OnConflict(u.conflict, u.action).Returning(quotedNames(u.ret)...)
}

// For returns the single-row template of struct v (or a pointer to one):
// a field v leaves to its default (Field.LeftToDefault) is written as
// DEFAULT, so a conflicting row takes the default from EXCLUDED too.
// Without ReturningColumns it returns the columns the database fills:
// those not bound as parameters, and a bound version column.
func (u *Upsert) For(v any) (*Template, error) {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer && !rv.IsNil() {
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct || rv.Type() != u.m.Type {
		return nil, errorf("Upsert.For", ErrInvalidValue, "%T is not a %s", v, u.m.Type)
	}
	return u.forValue(rv)
}

func (u *Upsert) forValue(rv reflect.Value) (*Template, error) {
	mask := insertMask(u.m, rv)
	return u.m.cachedShape(shapeKey{kind: kindUpsert, mask: mask.lo, extra: u.key}, func() (*Template, error) { return u.template(mask) })
}

func (u *Upsert) template(mask fieldBits) (*Template, error) {
	row := make([]any, len(u.fields))
	var params []*Field
	for i, f := range u.fields {
		if mask.has(u.pos[i]) {
			row[i] = Default
			continue
		}
		row[i] = 0 // a placeholder: the value is bound per call
		params = append(params, f)
	}
	ret := u.ret
	if !u.retSet {
		for _, f := range u.m.Fields {
			if bound := contains(params, f); !bound || f.Version {
				ret = append(ret, f)
			}
		}
	}
	b := Insert(u.m.quoted).Columns(fieldNames(u.fields)...).Values(row...).OnConflict(u.conflict, u.action).Returning(quotedNames(ret)...)
	return u.m.rendered(b, params, ret)
}

func fieldNames(fields []*Field) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f.Column
	}
	return out
}

func contains[E comparable](s []E, v E) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// upsertKeyPart adds the upsert options to a cache key.
func (o structOpts) upsertKeyPart(b *strings.Builder) {
	writeKeyList(b, o.target)
	b.WriteString(o.constraint)
	if o.nothing {
		b.WriteByte('N')
	}
	if o.used&optOnly != 0 {
		b.WriteByte('O') // OnlyColumns() with no column differs from none given
	}
}
