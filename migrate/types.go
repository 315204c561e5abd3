package migrate

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"time"
)

var (
	timeType       = reflect.TypeOf(time.Time{})
	rawMessageType = reflect.TypeOf(json.RawMessage(nil))
)

// sqlTypeOf maps a Go type to the PostgreSQL type a column of it gets, as
// format_type prints it. Pointers and nullable wrappers (sql.NullX,
// pgtype.X: a struct with a Valid field) map to their element type.
func sqlTypeOf(t reflect.Type) (string, error) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if s, ok := namedType(t); ok {
		return s, nil
	}
	switch t.Kind() {
	case reflect.Bool:
		return "boolean", nil
	case reflect.Int8, reflect.Int16, reflect.Uint8:
		return "smallint", nil
	case reflect.Int32, reflect.Uint16:
		return "integer", nil
	case reflect.Int, reflect.Int64, reflect.Uint32:
		return "bigint", nil
	case reflect.Uint, reflect.Uint64:
		return "numeric(20,0)", nil
	case reflect.Float32:
		return "real", nil
	case reflect.Float64:
		return "double precision", nil
	case reflect.String:
		return "text", nil
	case reflect.Map, reflect.Struct:
		return "jsonb", nil
	case reflect.Slice, reflect.Array:
		return sliceType(t)
	}
	return "", fmt.Errorf("no PostgreSQL type for Go type %s: add a type: tag", t)
}

// namedType handles types recognized by name or shape before their kind.
func namedType(t reflect.Type) (string, bool) {
	switch {
	case t == timeType:
		return "timestamp with time zone", true
	case t == rawMessageType:
		return "jsonb", true
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		return "bytea", true
	case t.Kind() == reflect.Array && t.Len() == 16 && t.Elem().Kind() == reflect.Uint8:
		return "uuid", true // github.com/google/uuid.UUID, gofrs/uuid.UUID, [16]byte
	}
	name := t.Name()
	pkg := t.PkgPath()
	switch {
	case strings.HasSuffix(pkg, "pgx/v5/pgtype"):
		return pgtypeName(name)
	case strings.Contains(strings.ToLower(name), "decimal") || name == "Numeric":
		return "numeric", true
	case pkg == "database/sql" && strings.HasPrefix(name, "Null"):
		return nullSQLType(t)
	case t.Kind() == reflect.Struct && name != "" && hasValidField(t):
		return nullSQLType(t)
	}
	return "", false
}

var pgtypeNames = map[string]string{
	"Bool": "boolean", "Int2": "smallint", "Int4": "integer", "Int8": "bigint",
	"Float4": "real", "Float8": "double precision", "Text": "text", "Numeric": "numeric",
	"Timestamptz": "timestamp with time zone", "Timestamp": "timestamp without time zone",
	"Date": "date", "Interval": "interval", "UUID": "uuid", "Time": "time without time zone",
}

func pgtypeName(name string) (string, bool) {
	s, ok := pgtypeNames[name]
	return s, ok
}

func hasValidField(t reflect.Type) bool {
	f, ok := t.FieldByName("Valid")
	return ok && f.Type.Kind() == reflect.Bool
}

// nullSQLType maps sql.NullString-style wrappers by their value field.
func nullSQLType(t reflect.Type) (string, bool) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Name != "Valid" && f.IsExported() {
			s, err := sqlTypeOf(f.Type)
			return s, err == nil
		}
	}
	return "", false
}

func sliceType(t reflect.Type) (string, error) {
	elem, err := sqlTypeOf(t.Elem())
	if err != nil {
		return "", err
	}
	if strings.HasSuffix(elem, "[]") || elem == "jsonb" && t.Elem().Kind() != reflect.Map {
		return "jsonb", nil // nested slices and slices of structs are documents
	}
	return elem + "[]", nil
}

// typeAliases turns the names people write into the names format_type
// prints, so a type: override compares equal to the catalog.
var typeAliases = map[string]string{
	"int": "integer", "int4": "integer", "serial": "integer", "serial4": "integer",
	"int8": "bigint", "bigserial": "bigint", "serial8": "bigint",
	"int2": "smallint", "smallserial": "smallint",
	"bool": "boolean", "float8": "double precision", "float4": "real", "float": "double precision",
	"decimal": "numeric", "varchar": "character varying", "char": "character", "bpchar": "character",
	"timestamptz": "timestamp with time zone", "timestamp": "timestamp without time zone",
	"timetz": "time with time zone", "time": "time without time zone",
	"character varying": "character varying", "varbit": "bit varying",
}

var typeWithArgs = regexp.MustCompile(`^([a-z][a-z0-9_ ]*?)\s*(\(\s*\d+\s*(?:,\s*\d+\s*)?\))?\s*((?:\[\])*)$`)

// normalizeType rewrites a type as format_type would print it:
// "VARCHAR(64)" → "character varying(64)", "timestamptz" → "timestamp with
// time zone", "decimal(10, 2)" → "numeric(10,2)", "int[]" → "integer[]".
// Types it does not know (citext, enums, domains) are lower-cased only,
// unless quoted.
func normalizeType(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, `"`) {
		return s
	}
	lower := strings.Join(strings.Fields(strings.ToLower(s)), " ")
	m := typeWithArgs.FindStringSubmatch(lower)
	if m == nil {
		return lower
	}
	base, args, arrays := m[1], strings.ReplaceAll(m[2], " ", ""), m[3]
	if a, ok := typeAliases[base]; ok {
		base = a
	}
	if strings.HasPrefix(base, "timestamp") || strings.HasPrefix(base, "time ") {
		// timestamp(3) with time zone is printed with the precision in the middle.
		if args != "" {
			parts := strings.SplitN(base, " ", 2)
			rest := ""
			if len(parts) == 2 {
				rest = " " + parts[1]
			}
			return parts[0] + args + rest + arrays
		}
	}
	return base + args + arrays
}
