package sqlb

import (
	"reflect"
	"strconv"
	"time"

	sq "github.com/Masterminds/squirrel"
)

// Sqlizer is squirrel's interface, re-declared as an alias so that sqlb's
// conditions and builders can be used inside squirrel builders and squirrel
// expressions (sq.Eq, sq.Expr, sq.Case, builders) inside sqlb.
//
// ToSql returns a fragment with ? placeholders, ready to be nested. sqlb's
// conditions and expressions are Sqlizers; its statement builders are not
// (they have only ToSQL, the final statement with $n placeholders numbered
// once for the whole statement) — their Squirrel method gives the
// Sqlizer view. Where sqlb takes a subquery, it takes a builder as well.
type Sqlizer = sq.Sqlizer

// appender is implemented by sqlb's own parts: they write straight into the
// statement buffer instead of producing an intermediate string.
type appender interface {
	appendSQL(w *writer) error
}

// writer accumulates a statement. In dollar mode placeholders are numbered
// as they are written ($1, $2, …); otherwise they stay ? for nesting.
type writer struct {
	buf    []byte
	args   []any
	dollar bool
	shared map[*sharedArg]int
}

// sharedArg is one value bound once and referenced several times (a named
// parameter used twice). In ? mode it is repeated; the outermost $ writer
// binds it once and reuses its number. It implements driver.Valuer-like
// unwrapping through Value for callers that execute a ? fragment directly.
type sharedArg struct{ v any }

// Value returns the wrapped value (database/sql's driver.Valuer shape, so
// a ? fragment nested in another library still executes).
func (s *sharedArg) Value() (any, error) { return s.v, nil }

func (w *writer) str(s string) { w.buf = append(w.buf, s...) }

// list writes trusted SQL items (quoted names) separated by ", ".
func (w *writer) list(items []string) {
	for i, s := range items {
		if i > 0 {
			w.str(", ")
		}
		w.str(s)
	}
}

// param binds v as a placeholder.
func (w *writer) param(v any) {
	if s, ok := v.(*sharedArg); ok && w.dollar {
		if n, seen := w.shared[s]; seen {
			w.placeholder(n)
			return
		}
		if w.shared == nil {
			w.shared = make(map[*sharedArg]int)
		}
		w.args = append(w.args, s.v)
		w.shared[s] = len(w.args)
		w.placeholder(len(w.args))
		return
	}
	w.args = append(w.args, v)
	if w.dollar {
		w.placeholder(len(w.args))
	} else {
		w.buf = append(w.buf, '?')
	}
}

func (w *writer) placeholder(n int) {
	w.buf = append(w.buf, '$')
	w.buf = strconv.AppendInt(w.buf, int64(n), 10)
}

// arg binds a fragment argument: a Sqlizer is expanded in place, anything
// else becomes a parameter.
func (w *writer) arg(v any) error {
	if s, ok := subquery(v); ok {
		return w.expr(s)
	}
	if err := checkValue(v); err != nil {
		return err
	}
	w.param(v)
	return nil
}

// value writes an operand: a column reference as is, another Sqlizer in
// parentheses (a subquery or expression), anything else as a parameter.
func (w *writer) value(v any) error {
	if id, ok := v.(Ident); ok {
		return id.appendSQL(w)
	}
	if s, ok := subquery(v); ok {
		w.buf = append(w.buf, '(')
		if err := w.expr(s); err != nil {
			return err
		}
		w.buf = append(w.buf, ')')
		return nil
	}
	if err := checkValue(v); err != nil {
		return err
	}
	w.param(v)
	return nil
}

// expr writes a Sqlizer.
func (w *writer) expr(s Sqlizer) error {
	if a, ok := s.(appender); ok {
		return a.appendSQL(w)
	}
	var (
		text string
		args []any
		err  error
	)
	// Squirrel builders apply their own placeholder format in ToSql; force
	// ? so that numbering happens once, here.
	switch b := s.(type) {
	case sq.SelectBuilder:
		text, args, err = b.PlaceholderFormat(sq.Question).ToSql()
	case sq.InsertBuilder:
		text, args, err = b.PlaceholderFormat(sq.Question).ToSql()
	case sq.UpdateBuilder:
		text, args, err = b.PlaceholderFormat(sq.Question).ToSql()
	case sq.DeleteBuilder:
		text, args, err = b.PlaceholderFormat(sq.Question).ToSql()
	case nil:
		return errInvalid("nil Sqlizer")
	default:
		text, args, err = s.ToSql()
	}
	if err != nil {
		return err
	}
	return w.appendFragment(text, args)
}

type valueError string

func (e valueError) Error() string { return ErrInvalidValue.Error() + ": " + string(e) }
func (e valueError) Unwrap() error { return ErrInvalidValue }

func errInvalid(msg string) error { return valueError(msg) }

// checkValue rejects values no PostgreSQL driver can bind.
func checkValue(v any) error {
	switch v.(type) {
	case nil, string, int, int64, int32, int16, int8, uint, uint64, uint32, uint16, uint8,
		float64, float32, bool, []byte, time.Time, *time.Time, []string, []int64, []int, []int32:
		return nil
	case DefaultKeyword:
		return errInvalid("Default (the DEFAULT keyword) outside a VALUES row of an INSERT")
	}
	switch reflect.TypeOf(v).Kind() {
	case reflect.Func, reflect.Chan, reflect.Complex64, reflect.Complex128, reflect.UnsafePointer:
		return errInvalid("unsupported value type " + reflect.TypeOf(v).String())
	}
	return nil
}

// render runs an appender in the given mode.
func render(a appender, dollar bool, sizeHint int) (string, []any, error) {
	w := writer{buf: make([]byte, 0, sizeHint), dollar: dollar}
	return renderInto(a, &w)
}

// renderInto is render into w, for a caller that sizes w's text and
// arguments itself (a multi-row insert knows both in advance).
func renderInto(a appender, w *writer) (string, []any, error) {
	if err := a.appendSQL(w); err != nil {
		return "", nil, err
	}
	return string(w.buf), w.args, nil
}
