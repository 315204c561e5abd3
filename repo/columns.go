package repo

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/normkit/norm/sqlb"
)

// The rules of the column check are in the package documentation,
// "Column names".

// checkCond returns an error naming the first column c names that the
// model does not have (see above), or nil; callers wrap it in ErrInvalid.
func (mt *meta) checkCond(where string, c sqlb.Sqlizer) error {
	if c == nil {
		return nil
	}
	var bad error
	sqlb.CondColumns(c, func(quoted string) {
		if bad == nil && mt.byQuoted[quoted] == nil { // a column of T, the common case, allocates nothing
			if parts, err := sqlb.SplitQualified(quoted); err == nil {
				bad = mt.checkColumn(where, parts)
			}
		}
	})
	if bad != nil {
		return bad
	}
	return mt.checkForeignCond(where, reflect.ValueOf(c))
}

// checkForeignCond looks into squirrel-style conditions: the keys of a map
// condition (squirrel.Eq, Gt, …) and the items of a slice of conditions
// (squirrel.And, Or).
func (mt *meta) checkForeignCond(where string, v reflect.Value) error {
	switch v.Kind() {
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			return nil
		}
		for _, k := range v.MapKeys() {
			name := k.String()
			if isPlainIdent(name) {
				if err := mt.checkColumn(where, []string{name}); err != nil {
					return err
				}
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			if c, ok := v.Index(i).Interface().(sqlb.Sqlizer); ok {
				if err := mt.checkCond(where, c); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// checkSort checks the column of each sort key (see above).
func (mt *meta) checkSort(where string, keys []sqlb.SortKey) error {
	for _, k := range keys {
		if mt.m.Field(k.Column) != nil {
			continue
		}
		parts, err := sqlb.SplitQualified(k.Column)
		if err != nil {
			continue // sqlb reports a malformed name when the query is built
		}
		if err := mt.checkColumn(where, parts); err != nil {
			return err
		}
	}
	return nil
}

// checkColumn checks one column name given as its unquoted parts.
func (mt *meta) checkColumn(where string, parts []string) error {
	n := len(parts)
	col := parts[n-1]
	if !isIdentLike(col) || !mt.ownQualifier(parts[:n-1]) || mt.m.Field(col) != nil {
		return nil
	}
	name := strings.Join(parts, ".")
	return fmt.Errorf("%s: %s has no column %q (a column of another table needs its table or alias: t.col)", where, mt.m.Table, name)
}

// ownQualifier reports whether a column qualified by q (nothing, a table,
// schema.table) certainly names a column of the model's table.
func (mt *meta) ownQualifier(q []string) bool {
	switch len(q) {
	case 0:
		return true
	case 1:
		return q[0] == mt.m.Table
	case 2:
		return mt.m.Schema != "" && q[0] == mt.m.Schema && q[1] == mt.m.Table
	}
	return false
}

// isIdentLike reports whether s is made of identifier characters only
// (letters, digits, _ and $, not starting with a digit or $): a name with
// anything else, such as lower(email), is taken for an expression.
func isIdentLike(s string) bool {
	for i := range len(s) {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_', c >= 0x80:
		case (c >= '0' && c <= '9' || c == '$') && i > 0:
		default:
			return false
		}
	}
	return s != ""
}

// isPlainIdent reports whether s is an identifier PostgreSQL reads as
// written: lower-case letters, digits and underscores, not starting with a
// digit.
func isPlainIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := range len(s) {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c == '_':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
