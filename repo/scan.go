package repo

import (
	"fmt"
	"reflect"

	"github.com/jackc/pgx/v5"
	"github.com/normkit/norm/sqlb"
)

// fieldAddr returns a pointer to field index of the struct rv points into
// (rv addressable), allocating nil embedded struct pointers on the way.
func fieldAddr(rv reflect.Value, index []int) any {
	if len(index) == 1 {
		return rv.Field(index[0]).Addr().Interface()
	}
	for i, x := range index {
		if i > 0 && rv.Kind() == reflect.Pointer {
			if rv.IsNil() {
				rv.Set(reflect.New(rv.Type().Elem()))
			}
			rv = rv.Elem()
		}
		rv = rv.Field(x)
	}
	return rv.Addr().Interface()
}

// destAll fills dest with the address of every model field of rv, in model
// order (the order of the columns the repository selects).
func destAll(m *sqlb.Model, rv reflect.Value, dest []any) []any {
	dest = dest[:0]
	for _, f := range m.Fields {
		dest = append(dest, fieldAddr(rv, f.Index))
	}
	return dest
}

// destFields fills dest with the addresses of fields of rv.
func destFields(fields []*sqlb.Field, rv reflect.Value, dest []any) []any {
	dest = dest[:0]
	for _, f := range fields {
		dest = append(dest, fieldAddr(rv, f.Index))
	}
	return dest
}

// scanAll reads every row of a query that selected the model's columns in
// model order. pgx converts the values (sql.Scanner, pgtype, json, arrays,
// pointers); a value that cannot be converted is an error.
//
// Every row is scanned into one zeroed T and copied out. The zeroing makes
// pgx (and any sql.Scanner) allocate every pointer, slice and map afresh,
// so rows never share them. When the model's fields are inline in T, one
// list of field addresses serves every row; otherwise the addresses are
// taken per row, allocating the embedded pointers on the way.
func scanAll[T any](mt *meta, rows pgx.Rows) ([]T, error) {
	defer rows.Close()
	var out []T
	var row, zero T
	rv := reflect.ValueOf(&row).Elem()
	dest := destAll(mt.m, rv, make([]any, 0, len(mt.m.Fields)))
	for rows.Next() {
		row = zero
		if !mt.inline {
			dest = destAll(mt.m, rv, dest)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// scanByName reads up to limit rows (0: every row) of an arbitrary query,
// mapping result columns to fields of m by name. A result column no field
// maps, or one that appears twice, is an error naming it; a field with no
// column keeps its zero value. With inline fields (see meta.inline) one
// list of field addresses serves every row, scanned into a zeroed value
// and copied out; otherwise the addresses are taken per row.
func scanByName[T any](m *sqlb.Model, inline bool, rows pgx.Rows, limit int) ([]T, error) {
	defer rows.Close()
	fds := rows.FieldDescriptions()
	fields := make([]*sqlb.Field, len(fds))
	for i, fd := range fds {
		f := m.Field(fd.Name)
		if f == nil {
			return nil, fmt.Errorf("%w: result column %q maps to no field of %s", ErrInvalid, fd.Name, m.Name)
		}
		for _, prev := range fields[:i] {
			if prev == f {
				return nil, fmt.Errorf("%w: result column %q appears twice; alias one of them", ErrInvalid, fd.Name)
			}
		}
		fields[i] = f
	}
	var out []T
	var row, zero T
	rv := reflect.ValueOf(&row).Elem()
	dest := destFields(fields, rv, make([]any, 0, len(fields)))
	for rows.Next() {
		row = zero
		if !inline {
			dest = destFields(fields, rv, dest)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		out = append(out, row)
		if limit > 0 && len(out) == limit {
			break
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}
