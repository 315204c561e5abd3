package sqlb

import (
	"database/sql/driver"
	"reflect"
)

// isNull reports whether v is sent as NULL: nil, a nil pointer, map or
// slice in an interface, or a driver.Valuer whose value is nil (an invalid
// sql.NullString, …).
func isNull(v any) bool {
	if v == nil {
		return true
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice:
		if rv.IsNil() {
			return true
		}
	}
	if vr, ok := v.(driver.Valuer); ok {
		val, err := vr.Value()
		return err == nil && val == nil
	}
	return false
}
