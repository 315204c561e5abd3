package sqlb

import (
	"reflect"
	"strings"
)

// Cursor marks a position in a keyset-paginated ordering: the values of the
// sort keys (including the tie-breaker) of one row, in key order. Keys, when
// set, records the ordering the cursor was made for (as SortKey.String
// gives it); After and Before then refuse a cursor made for another
// ordering. Hand cursors to clients as tokens made by a CursorCodec.
type Cursor struct {
	Keys   []string `json:"k,omitempty"`
	Values []any    `json:"v"`
}

// IsZero reports whether c holds no position (the first or last page).
func (c Cursor) IsZero() bool { return len(c.Values) == 0 }

type pageSpec struct {
	cursor Cursor
	before bool
}

// TieBreaker names the unique column(s), usually the primary key, that
// keyset pagination appends to the ORDER BY keys when they are not already
// there, so that rows with equal sort values keep a total order. The
// tie-breaker takes the direction of the last sort key. It applies once
// the query has OrderBy keys or After/Before.
func (b SelectBuilder) TieBreaker(cols ...string) SelectBuilder {
	for _, c := range cols {
		if _, err := quoteQualified(c, false); err != nil {
			return b.fail(wrapOp("Select.TieBreaker("+quoteForMsg(c)+")", err))
		}
	}
	b.tieBreak = append([]string(nil), cols...)
	return b
}

// After selects the rows that come after cursor in the ORDER BY order
// (OrderBy keys plus the TieBreaker): the next page. A zero cursor gives the
// first page. With all keys in one direction the condition is a row
// comparison, ("a", "b") > ($1, $2), which an index on (a, b) serves;
// with mixed directions it is the expanded form (a > $1) OR (a = $1 AND b
// < $2). Sort keys must be NOT NULL columns. Set the page size with Limit.
func (b SelectBuilder) After(c Cursor) SelectBuilder {
	b.page = &pageSpec{cursor: c}
	return b
}

// Before selects the page just before cursor, returned in the original
// order: the query reads backwards and is wrapped in
// SELECT * FROM (…) AS "sqlb_page" ORDER BY …, so the sort key columns must
// be among the selected columns (under their own names). A zero cursor
// gives the last page.
func (b SelectBuilder) Before(c Cursor) SelectBuilder {
	b.page = &pageSpec{cursor: c, before: true}
	return b
}

// PageKeys returns the effective keyset ordering: the OrderBy keys plus
// the tie-breaker columns. It is nil when the builder has no keyset
// pagination (no After, Before or TieBreaker).
func (b SelectBuilder) PageKeys() ([]SortKey, error) {
	items, err := b.pageKeys()
	if err != nil || items == nil {
		return nil, err
	}
	keys := make([]SortKey, len(items))
	for i, it := range items {
		keys[i] = it.key
	}
	return keys, nil
}

func (b SelectBuilder) pageKeys() ([]orderItem, error) {
	if b.page == nil && (len(b.tieBreak) == 0 || len(b.order) == 0) {
		return nil, nil
	}
	const op = "Select.After/Before"
	keys := make([]orderItem, 0, len(b.order)+len(b.tieBreak))
	for _, o := range b.order {
		if o.raw != nil {
			return nil, errorf(op, ErrInvalidValue, "keyset pagination needs OrderBy keys, not OrderByRaw")
		}
		keys = append(keys, o)
	}
	desc := len(keys) > 0 && keys[len(keys)-1].key.Desc
	for _, t := range b.tieBreak {
		present := false
		for _, k := range keys {
			if k.key.Column == t {
				present = true
				break
			}
		}
		if !present {
			q, _ := quoteQualified(t, false)
			keys = append(keys, orderItem{key: SortKey{Column: t, Desc: desc}, quoted: q})
		}
	}
	if len(keys) == 0 {
		return nil, errorf(op, ErrIncomplete, "keyset pagination needs OrderBy keys or a TieBreaker")
	}
	if b.page != nil && !b.page.cursor.IsZero() {
		c := b.page.cursor
		if len(c.Values) != len(keys) {
			return nil, errorf(op, ErrCursor, "cursor has %d values for %d sort keys", len(c.Values), len(keys))
		}
		if len(c.Keys) > 0 {
			if len(c.Keys) != len(keys) {
				return nil, errorf(op, ErrCursor, "cursor was made for ordering %s", strings.Join(c.Keys, ", "))
			}
			for i, k := range keys {
				if c.Keys[i] != k.key.String() {
					return nil, errorf(op, ErrCursor, "cursor was made for ordering %s", strings.Join(c.Keys, ", "))
				}
			}
		}
		for _, v := range c.Values {
			if isNull(v) {
				return nil, errorf(op, ErrCursor, "cursor holds NULL; keyset sort keys must be NOT NULL")
			}
			if err := checkValue(v); err != nil {
				return nil, wrapOp(op, err)
			}
		}
	}
	return keys, nil
}

// keysetCond is the "comes after" (or before) condition.
type keyset struct {
	keys   []orderItem
	values []any
	before bool
}

func keysetCond(keys []orderItem, values []any, before bool) Sqlizer {
	return keyset{keys: keys, values: values, before: before}
}

func (k keyset) opFor(i int) string {
	if k.keys[i].key.Desc != k.before {
		return " < "
	}
	return " > "
}

func (k keyset) appendSQL(w *writer) error {
	same := true
	for i := range k.keys {
		if k.keys[i].key.Desc != k.keys[0].key.Desc {
			same = false
			break
		}
	}
	if len(k.keys) == 1 {
		w.str(k.keys[0].quoted)
		w.str(k.opFor(0))
		w.param(k.values[0])
		return nil
	}
	if same {
		w.buf = append(w.buf, '(')
		for i := range k.keys {
			if i > 0 {
				w.str(", ")
			}
			w.str(k.keys[i].quoted)
		}
		w.buf = append(w.buf, ')')
		w.str(k.opFor(0))
		w.buf = append(w.buf, '(')
		for i := range k.keys {
			if i > 0 {
				w.str(", ")
			}
			w.param(k.values[i])
		}
		w.buf = append(w.buf, ')')
		return nil
	}
	// (k1 op v1) OR (k1 = v1 AND k2 op v2) OR …, each value bound once.
	vals := make([]any, len(k.values))
	for i, v := range k.values {
		vals[i] = &sharedArg{v: v}
	}
	w.buf = append(w.buf, '(')
	for i := range k.keys {
		if i > 0 {
			w.str(" OR ")
		}
		w.buf = append(w.buf, '(')
		for j := 0; j < i; j++ {
			w.str(k.keys[j].quoted)
			w.str(" = ")
			w.param(vals[j])
			w.str(" AND ")
		}
		w.str(k.keys[i].quoted)
		w.str(k.opFor(i))
		w.param(vals[i])
		w.buf = append(w.buf, ')')
	}
	w.buf = append(w.buf, ')')
	return nil
}

func (k keyset) ToSql() (string, []any, error) { return render(k, false, 64) } //nolint:revive // squirrel.Sqlizer
func (keyset) atomic()                         {}

// CursorFrom builds the cursor for row, the last (or, for a previous-page
// link, the first) row of a page: it reads the value of each keyset sort
// key from row, which is a struct (matched by column name through the model
// metadata), a pointer to one, or a map[string]any keyed by column name.
// The column name is the last part of the key's qualified name.
func (b SelectBuilder) CursorFrom(row any) (Cursor, error) {
	const op = "Select.CursorFrom"
	keys, err := b.PageKeys()
	if err != nil {
		return Cursor{}, err
	}
	if keys == nil {
		return Cursor{}, errorf(op, ErrIncomplete, "no keyset ordering (use After, Before or TieBreaker)")
	}
	c := Cursor{Keys: make([]string, len(keys)), Values: make([]any, len(keys))}
	var m map[string]any
	var rv reflect.Value
	var model *Model
	switch r := row.(type) {
	case map[string]any:
		m = r
	default:
		rv = reflect.ValueOf(row)
		for rv.Kind() == reflect.Pointer && !rv.IsNil() {
			rv = rv.Elem()
		}
		if rv.Kind() != reflect.Struct {
			return Cursor{}, errorf(op, ErrInvalidValue, "want a struct or map[string]any, got %T", row)
		}
		if model, err = modelOf(rv.Type()); err != nil {
			return Cursor{}, wrapOp(op, err)
		}
	}
	for i, k := range keys {
		name := lastPart(k.Column)
		c.Keys[i] = k.String()
		var v any
		if m != nil {
			var ok bool
			if v, ok = m[name]; !ok {
				return Cursor{}, errorf(op, ErrCursor, "row has no column %s", quoteForMsg(name))
			}
		} else {
			f := model.Field(name)
			if f == nil {
				return Cursor{}, errorf(op, ErrCursor, "%s has no column %s", model.Name, quoteForMsg(name))
			}
			v = f.Value(rv)
		}
		if isNull(v) {
			return Cursor{}, errNullPosition(op, name)
		}
		c.Values[i] = v
	}
	return c, nil
}

// errNullPosition refuses a row whose sort value is NULL: a comparison
// with NULL is never true, so the next page would silently be empty.
func errNullPosition(op, col string) error {
	return errorf(op, ErrCursor, "sort key %s of the row is NULL; keyset sort keys must be NOT NULL", quoteForMsg(col))
}
