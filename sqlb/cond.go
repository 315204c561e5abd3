package sqlb

import (
	"reflect"
)

// atomicCond marks conditions that need no parentheses when combined.
type atomicCond interface{ atomic() }

// writeCond writes a condition, adding parentheses unless it is atomic.
func (w *writer) cond(c Sqlizer) error {
	if _, ok := c.(atomicCond); ok {
		return w.expr(c)
	}
	w.buf = append(w.buf, '(')
	if err := w.expr(c); err != nil {
		return err
	}
	w.buf = append(w.buf, ')')
	return nil
}

// cmp is a binary comparison of a column with a value.
type cmp struct {
	col  string // quoted
	op   string // " = ", " <> ", …
	v    any
	null bool // v is sent as NULL (see isNull)
	err  error
}

func newCmp(fn, col, op string, v any, nilOK bool) Sqlizer {
	c := cmp{op: op, v: v}
	opName := fn + "(" + quoteForMsg(col) + ")"
	q, err := quoteQualified(col, false)
	if err != nil {
		c.err = wrapOp(opName, err)
		return c
	}
	c.col = q
	// A typed nil (a nil *T, an invalid sql.Null*) is NULL as much as nil
	// is, and col = NULL is never true: both take the IS NULL forms.
	c.null = isNull(v)
	if c.null && !nilOK {
		c.err = errorf(opName, ErrInvalidValue, "NULL value (%T); use IsNull or NotNull", v)
	} else if err := checkValue(v); err != nil {
		c.err = wrapOp(opName, err)
	}
	return c
}

func (c cmp) appendSQL(w *writer) error {
	if c.err != nil {
		return c.err
	}
	w.str(c.col)
	if c.null {
		if c.op == " = " {
			w.str(" IS NULL")
		} else {
			w.str(" IS NOT NULL")
		}
		return nil
	}
	w.str(c.op)
	return w.value(c.v)
}

func (c cmp) ToSql() (string, []any, error) { return render(c, false, 32) } //nolint:revive // squirrel.Sqlizer
func (cmp) atomic()                         {}

// Eq is col = v. A v sent as NULL — nil, a nil pointer, slice or map, an
// invalid sql.Null* — gives col IS NULL. A Sqlizer v is inlined: Col for
// another column, a subquery in parentheses. A slice is compared as one
// array value (col = $1); use In for membership.
func Eq(col string, v any) Sqlizer { return newCmp("Eq", col, " = ", v, true) }

// Ne is col <> v; a v sent as NULL (see Eq) gives col IS NOT NULL.
func Ne(col string, v any) Sqlizer { return newCmp("Ne", col, " <> ", v, true) }

// Gt is col > v.
func Gt(col string, v any) Sqlizer { return newCmp("Gt", col, " > ", v, false) }

// Ge is col >= v.
func Ge(col string, v any) Sqlizer { return newCmp("Ge", col, " >= ", v, false) }

// Lt is col < v.
func Lt(col string, v any) Sqlizer { return newCmp("Lt", col, " < ", v, false) }

// Le is col <= v.
func Le(col string, v any) Sqlizer { return newCmp("Le", col, " <= ", v, false) }

// Like is col LIKE pattern. The pattern is a parameter; escape % and _ in
// user input with EscapeLike.
func Like(col string, pattern any) Sqlizer { return newCmp("Like", col, " LIKE ", pattern, false) }

// NotLike is col NOT LIKE pattern.
func NotLike(col string, pattern any) Sqlizer {
	return newCmp("NotLike", col, " NOT LIKE ", pattern, false)
}

// ILike is col ILIKE pattern (case-insensitive).
func ILike(col string, pattern any) Sqlizer { return newCmp("ILike", col, " ILIKE ", pattern, false) }

// NotILike is col NOT ILIKE pattern.
func NotILike(col string, pattern any) Sqlizer {
	return newCmp("NotILike", col, " NOT ILIKE ", pattern, false)
}

// EscapeLike escapes the LIKE metacharacters %, _ and \ in s so that it
// matches literally (PostgreSQL's default escape character is \).
func EscapeLike(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '%', '_', '\\':
			if b == nil {
				b = append(make([]byte, 0, len(s)+4), s[:i]...)
			}
			b = append(b, '\\')
		}
		if b != nil {
			b = append(b, s[i])
		}
	}
	if b == nil {
		return s
	}
	return string(b)
}

// nullCheck is col IS [NOT] NULL.
type nullCheck struct {
	col string
	not bool
	err error
}

// IsNull is col IS NULL.
func IsNull(col string) Sqlizer { return newNullCheck("IsNull", col, false) }

// NotNull is col IS NOT NULL.
func NotNull(col string) Sqlizer { return newNullCheck("NotNull", col, true) }

func newNullCheck(fn, col string, not bool) Sqlizer {
	q, err := quoteQualified(col, false)
	return nullCheck{col: q, not: not, err: wrapOp(fn+"("+quoteForMsg(col)+")", err)}
}

func (n nullCheck) appendSQL(w *writer) error {
	if n.err != nil {
		return n.err
	}
	w.str(n.col)
	if n.not {
		w.str(" IS NOT NULL")
	} else {
		w.str(" IS NULL")
	}
	return nil
}

func (n nullCheck) ToSql() (string, []any, error) { return render(n, false, 32) } //nolint:revive // squirrel.Sqlizer
func (nullCheck) atomic()                         {}

// between is col BETWEEN lo AND hi.
type between struct {
	col    string
	lo, hi any
	err    error
}

// Between is col BETWEEN lo AND hi (both ends included). For time ranges
// prefer the half-open scopes (CreatedBetween) or Ge + Lt.
func Between(col string, lo, hi any) Sqlizer {
	op := "Between(" + quoteForMsg(col) + ")"
	q, err := quoteQualified(col, false)
	if err == nil && (isNull(lo) || isNull(hi)) {
		err = errInvalid("NULL bound") // BETWEEN a NULL bound matches no row
	}
	if err == nil {
		if err = checkValue(lo); err == nil {
			err = checkValue(hi)
		}
	}
	return between{col: q, lo: lo, hi: hi, err: wrapOp(op, err)}
}

func (b between) appendSQL(w *writer) error {
	if b.err != nil {
		return b.err
	}
	w.str(b.col)
	w.str(" BETWEEN ")
	if err := w.value(b.lo); err != nil {
		return err
	}
	w.str(" AND ")
	return w.value(b.hi)
}

func (b between) ToSql() (string, []any, error) { return render(b, false, 48) } //nolint:revive // squirrel.Sqlizer
func (between) atomic()                         {}

// in is col = ANY(array) / col <> ALL(array) / col [NOT] IN (subquery).
type in struct {
	col   string
	not   bool
	v     any
	empty bool
	sub   Sqlizer
	err   error
}

// In is membership. A Go slice or array becomes col = ANY($n) with the
// whole slice bound as one array parameter, so one statement text serves
// every length; an empty (or nil) slice gives FALSE. A Sqlizer (a subquery)
// gives col IN (subquery). Any other value is an error.
func In(col string, values any) Sqlizer { return newIn("In", col, values, false) }

// NotIn is the negation of In: col <> ALL($n) for a slice (TRUE when the
// slice is empty), col NOT IN (subquery) for a subquery. A slice holding
// NULL (nil, a nil pointer, an invalid sql.Null*) is an error, since the
// condition would then match no row; NOT IN over a subquery that yields a
// NULL is never true either (SQL semantics), which sqlb cannot see.
func NotIn(col string, values any) Sqlizer { return newIn("NotIn", col, values, true) }

func newIn(fn, col string, values any, not bool) Sqlizer {
	op := fn + "(" + quoteForMsg(col) + ")"
	q, err := quoteQualified(col, false)
	c := in{col: q, not: not, v: values}
	if err != nil {
		c.err = wrapOp(op, err)
		return c
	}
	if s, ok := subquery(values); ok {
		c.sub = s
		return c
	}
	if values == nil {
		c.empty = true
		return c
	}
	rv := reflect.ValueOf(values)
	switch rv.Kind() {
	case reflect.Slice:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			c.err = errorf(op, ErrInvalidValue, "[]byte is one bytea value, not a list")
			return c
		}
		c.empty = rv.Len() == 0
	case reflect.Array:
		c.empty = rv.Len() == 0
	default:
		c.err = errorf(op, ErrInvalidValue, "want a slice, an array or a subquery, got %T", values)
		return c
	}
	if not {
		if i := firstNull(rv); i >= 0 {
			c.err = errorf(op, ErrInvalidValue, "element %d is NULL, and col <> ALL(a list holding NULL) is never true: the condition would match no row", i)
		}
	}
	return c
}

// firstNull returns the index of the first element of list (a slice or
// array) that is sent as NULL, or -1. Only lists whose elements can be
// NULL — pointers, interfaces, maps, slices, driver.Valuers — are walked.
func firstNull(list reflect.Value) int {
	et := list.Type().Elem()
	switch et.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice:
	default:
		if !et.Implements(valuerType) {
			return -1
		}
	}
	for i := range list.Len() {
		if isNull(list.Index(i).Interface()) {
			return i
		}
	}
	return -1
}

func (c in) appendSQL(w *writer) error {
	if c.err != nil {
		return c.err
	}
	if c.sub != nil {
		w.str(c.col)
		if c.not {
			w.str(" NOT IN (")
		} else {
			w.str(" IN (")
		}
		if err := w.expr(c.sub); err != nil {
			return err
		}
		w.buf = append(w.buf, ')')
		return nil
	}
	if c.empty {
		if c.not {
			w.str("TRUE")
		} else {
			w.str("FALSE")
		}
		return nil
	}
	w.str(c.col)
	if c.not {
		w.str(" <> ALL(")
	} else {
		w.str(" = ANY(")
	}
	w.param(c.v)
	w.buf = append(w.buf, ')')
	return nil
}

func (c in) ToSql() (string, []any, error) { return render(c, false, 32) } //nolint:revive // squirrel.Sqlizer
func (in) atomic()                         {}

// junction is AND / OR of conditions.
type junction struct {
	sep   string
	conds []Sqlizer
}

// And joins conditions with AND, in parentheses. Nil conditions are
// skipped; no conditions at all give TRUE.
func And(conds ...Sqlizer) Sqlizer { return junction{sep: " AND ", conds: conds} }

// Or joins conditions with OR, in parentheses. Nil conditions are
// skipped; no conditions at all give FALSE.
func Or(conds ...Sqlizer) Sqlizer { return junction{sep: " OR ", conds: conds} }

func (j junction) appendSQL(w *writer) error {
	n := 0
	for _, c := range j.conds {
		if c == nil {
			continue
		}
		if n == 0 {
			w.buf = append(w.buf, '(')
		} else {
			w.str(j.sep)
		}
		n++
		if err := w.cond(c); err != nil {
			return err
		}
	}
	if n == 0 {
		if j.sep == " AND " {
			w.str("TRUE")
		} else {
			w.str("FALSE")
		}
		return nil
	}
	w.buf = append(w.buf, ')')
	return nil
}

func (j junction) ToSql() (string, []any, error) { return render(j, false, 64) } //nolint:revive // squirrel.Sqlizer
func (junction) atomic()                         {}

// not is NOT (cond).
type not struct{ c Sqlizer }

// Not negates a condition: NOT (cond).
func Not(c Sqlizer) Sqlizer { return not{c} }

func (n not) appendSQL(w *writer) error {
	if n.c == nil {
		return errorf("Not", ErrInvalidValue, "nil condition")
	}
	w.str("NOT (")
	if err := w.expr(n.c); err != nil {
		return err
	}
	w.buf = append(w.buf, ')')
	return nil
}

func (n not) ToSql() (string, []any, error) { return render(n, false, 32) } //nolint:revive // squirrel.Sqlizer
func (not) atomic()                         {}

// exists is [NOT] EXISTS (subquery).
type exists struct {
	sub Sqlizer
	not bool
	err error
}

// Exists is EXISTS (sub), where sub is a query: a sqlb statement builder,
// a Raw expression or a squirrel Sqlizer. Anything else fails when the
// statement is built.
func Exists(sub any) Sqlizer { return newExists("Exists", sub, false) }

// NotExists is NOT EXISTS (sub); sub as for Exists.
func NotExists(sub any) Sqlizer { return newExists("NotExists", sub, true) }

func newExists(op string, sub any, not bool) exists {
	s, ok := subquery(sub)
	if !ok {
		return exists{err: subqueryError(op, sub), not: not}
	}
	return exists{sub: s, not: not}
}

func (e exists) appendSQL(w *writer) error {
	if e.err != nil {
		return e.err
	}
	if e.not {
		w.str("NOT ")
	}
	w.str("EXISTS (")
	if err := w.expr(e.sub); err != nil {
		return err
	}
	w.buf = append(w.buf, ')')
	return nil
}

func (e exists) ToSql() (string, []any, error) { return render(e, false, 64) } //nolint:revive // squirrel.Sqlizer
func (exists) atomic()                         {}

// On is a join condition comparing two columns: On("o.user_id", "u.id") is
// "o"."user_id" = "u"."id".
func On(left, right string) Sqlizer { return Eq(left, Col(right)) }
