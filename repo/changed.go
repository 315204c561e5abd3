package repo

import (
	"bytes"
	"database/sql/driver"
	"reflect"
	"time"
)

// changedColumns lists, in model order, the columns whose values differ
// between the row images before and after (column to value, as asMap
// makes them). Columns the repository maintains itself — the version and
// on_update columns — move on every write; they are listed only when some
// other column changed too, so a write that changed no data gives an
// empty (non-nil) list.
func (r *Repository[T]) changedColumns(before, after map[string]any) []string {
	out := []string{}
	data := false
	for _, f := range r.mt.m.Fields {
		if sameValue(before[f.Column], after[f.Column]) {
			continue
		}
		out = append(out, f.Column)
		if !f.Version && f.OnUpdate == "" {
			data = true
		}
	}
	if !data {
		return out[:0]
	}
	return out
}

var bytesType = reflect.TypeOf([]byte(nil))

// sameValue reports whether two values of one field hold the same value:
// pointers are followed (nil equals only nil), a type with an
// Equal(itself) bool method (time.Time) decides by it, a driver.Valuer
// (sql.Null*, pgtype) by the values it sends, []byte by its bytes,
// comparable values by ==, anything else (slices, maps) by DeepEqual.
func sameValue(a, b any) bool {
	// The common column types first, without reflection.
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		return ok && x == y
	case int64:
		y, ok := b.(int64)
		return ok && x == y
	case int32:
		y, ok := b.(int32)
		return ok && x == y
	case int:
		y, ok := b.(int)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case time.Time:
		y, ok := b.(time.Time)
		return ok && x.Equal(y)
	case *time.Time:
		y, ok := b.(*time.Time)
		return ok && (x == nil || y == nil) == (x == nil && y == nil) && (x == nil || x.Equal(*y))
	case []byte:
		y, ok := b.([]byte)
		return ok && (x == nil) == (y == nil) && bytes.Equal(x, y)
	}
	return sameReflect(reflect.ValueOf(a), reflect.ValueOf(b))
}

func sameReflect(a, b reflect.Value) bool {
	for a.IsValid() && b.IsValid() && a.Kind() == reflect.Pointer && b.Kind() == reflect.Pointer {
		if a.IsNil() || b.IsNil() {
			return a.IsNil() && b.IsNil()
		}
		a, b = a.Elem(), b.Elem()
	}
	if !a.IsValid() || !b.IsValid() {
		return isNilish(a) && isNilish(b)
	}
	if a.Type() != b.Type() {
		return false
	}
	if m, ok := a.Type().MethodByName("Equal"); ok && m.Type.NumIn() == 2 && m.Type.In(1) == a.Type() &&
		m.Type.NumOut() == 1 && m.Type.Out(0).Kind() == reflect.Bool {
		return a.Method(m.Index).Call([]reflect.Value{b})[0].Bool()
	}
	if a.CanInterface() {
		if va, ok := a.Interface().(driver.Valuer); ok {
			vb, _ := b.Interface().(driver.Valuer)
			x, errA := va.Value()
			y, errB := vb.Value()
			if errA == nil && errB == nil {
				return sameReflect(reflect.ValueOf(x), reflect.ValueOf(y))
			}
		}
	}
	if a.Type() == bytesType || (a.Kind() == reflect.Slice && a.Type().Elem().Kind() == reflect.Uint8) {
		return a.IsNil() == b.IsNil() && bytes.Equal(a.Bytes(), b.Bytes())
	}
	if a.Comparable() && b.Comparable() {
		return a.Equal(b)
	}
	return reflect.DeepEqual(a.Interface(), b.Interface())
}

// isNilish reports whether v is absent or a nil pointer, slice, map or
// interface.
func isNilish(v reflect.Value) bool {
	if !v.IsValid() {
		return true
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
		return v.IsNil()
	}
	return false
}
