package observe

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"net/netip"
	"reflect"
	"slices"
	"strconv"
	"time"
)

// Mask decides how parameter values appear in logs, spans and audit
// records. The zero value masks everything: a value is shown as its
// PostgreSQL type and length only (text(11), bytea(32), jsonb(120),
// []text(3), int8, NULL), never in clear text.
type Mask struct {
	// Reveal lists parameter numbers ($1 is 1) whose values are logged in
	// clear text, for parameters known to be harmless such as ids or limits.
	Reveal []int

	// Redact, when set, decides every value: its result is written as is.
	// n is the parameter number ($1 is 1). Call Describe from it to fall
	// back to the default for values it does not want to reveal. Redact
	// takes precedence over Reveal and HashKey.
	Redact func(n int, v any) string

	// HashKey, when set, appends a keyed hash (HMAC-SHA256, 8 bytes, hex)
	// of the value to the description, as in text(11)#9f86d081884c7d65, so
	// equal values can be correlated across lines without being revealed.
	// Keep the key secret: without it the hash of a guessable value could be
	// recomputed.
	HashKey []byte
}

// Value returns the loggable form of parameter number n (1-based).
func (m *Mask) Value(n int, v any) string {
	if m.Redact != nil {
		return m.Redact(n, v)
	}
	if slices.Contains(m.Reveal, n) {
		return reveal(v)
	}
	d := Describe(v)
	if len(m.HashKey) > 0 && v != nil {
		d += "#" + m.hash(v)
	}
	return d
}

// Args returns the loggable form of every argument, in order.
func (m *Mask) Args(args []any) []string {
	out := make([]string, len(args))
	for i, v := range args {
		out[i] = m.Value(i+1, v)
	}
	return out
}

func (m *Mask) hash(v any) string {
	mac := hmac.New(sha256.New, m.HashKey)
	_, _ = fmt.Fprintf(mac, "%T:%v", v, v)
	return hex.EncodeToString(mac.Sum(nil)[:8])
}

// reveal formats a revealed value, capped so one huge value cannot flood a
// log line.
func reveal(v any) string {
	const limit = 256
	var s string
	switch x := v.(type) {
	case nil:
		return "NULL"
	case []byte:
		s = "\\x" + hex.EncodeToString(x)
	default:
		s = fmt.Sprint(x)
	}
	if len(s) > limit {
		s = s[:limit] + "…"
	}
	return s
}

// Describe returns the PostgreSQL type a value would be sent as and, for
// variable-length values, its length: "NULL", "text(11)", "bytea(32)",
// "jsonb(120)", "int8", "float8", "bool", "timestamptz", "[]text(3)". The
// length of a string or byte slice is in bytes, of a slice or map in
// elements. Values of other types are shown by Go type name. It never
// includes the value itself and never calls methods on it, so a String or
// Value method cannot leak the contents.
func Describe(v any) string {
	if s, ok := describeScalar(v); ok {
		return s
	}
	return describeReflect(reflect.ValueOf(v))
}

func describeScalar(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "NULL", true
	case string:
		return sized("text", len(x)), true
	case json.RawMessage:
		return sized("jsonb", len(x)), true
	case []byte:
		return sized("bytea", len(x)), true
	case int, int64, uint, uint32, uint64:
		return "int8", true
	case int32, uint16:
		return "int4", true
	case int8, int16, uint8:
		return "int2", true
	case float64:
		return "float8", true
	case float32:
		return "float4", true
	case bool:
		return "bool", true
	case time.Time:
		return "timestamptz", true
	case time.Duration:
		return "interval", true
	case *big.Int, big.Int:
		return "numeric", true
	case netip.Addr, netip.Prefix:
		return "inet", true
	case [16]byte:
		return "uuid", true
	}
	return "", false
}

func describeReflect(rv reflect.Value) string {
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return "NULL"
		}
		return Describe(rv.Elem().Interface())
	case reflect.Slice:
		if rv.IsNil() {
			return "NULL"
		}
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			return sized("bytea", rv.Len())
		}
		return sized("[]"+typeName(rv.Type().Elem()), rv.Len())
	case reflect.Array:
		if rv.Len() == 16 && rv.Type().Elem().Kind() == reflect.Uint8 {
			return "uuid"
		}
		return sized("[]"+typeName(rv.Type().Elem()), rv.Len())
	case reflect.Map:
		if rv.IsNil() {
			return "NULL"
		}
		return sized("jsonb", rv.Len())
	case reflect.String:
		return sized("text", rv.Len())
	}
	return typeName(rv.Type())
}

// typeName names a Go type by the PostgreSQL type it would usually be sent
// as, or by its Go name when there is no obvious one.
func typeName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "text"
	case reflect.Bool:
		return "bool"
	case reflect.Int, reflect.Int64, reflect.Uint, reflect.Uint32, reflect.Uint64:
		return "int8"
	case reflect.Int32, reflect.Uint16:
		return "int4"
	case reflect.Int8, reflect.Int16, reflect.Uint8:
		return "int2"
	case reflect.Float64:
		return "float8"
	case reflect.Float32:
		return "float4"
	case reflect.Map:
		return "jsonb"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return "bytea"
		}
		return "[]" + typeName(t.Elem())
	case reflect.Array:
		if t.Len() == 16 && t.Elem().Kind() == reflect.Uint8 {
			return "uuid"
		}
		return "[]" + typeName(t.Elem())
	}
	if t == reflect.TypeFor[time.Time]() {
		return "timestamptz"
	}
	return t.String()
}

func sized(typ string, n int) string {
	return typ + "(" + strconv.Itoa(n) + ")"
}
