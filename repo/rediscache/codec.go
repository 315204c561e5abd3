package rediscache

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"reflect"

	"github.com/normkit/norm/sqlb"
)

// errOtherVersion: the entry was written for another shape of T.
var errOtherVersion = errors.New("entry written by another version of the type")

// codec encodes a T as its model's columns: an 8-byte fingerprint, then a
// JSON array of the column values in model order (see the package doc).
type codec struct {
	fields []*sqlb.Field
	fp     [8]byte
}

func codecOf[T any]() (*codec, error) {
	m, err := sqlb.ModelOf[T]()
	if err != nil {
		return nil, fmt.Errorf("rediscache: %w", err)
	}
	c := &codec{fields: m.Fields}
	h := fnv.New64a()
	t := reflect.TypeFor[T]()
	for _, f := range m.Fields {
		fmt.Fprintf(h, "%s\x00%s\x00", f.Column, t.FieldByIndex(f.Index).Type)
	}
	binary.BigEndian.PutUint64(c.fp[:], h.Sum64())
	return c, nil
}

func (c *codec) encode(v any) ([]byte, error) {
	rv := reflect.ValueOf(v).Elem()
	var buf bytes.Buffer
	buf.Write(c.fp[:])
	buf.WriteByte('[')
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for i, f := range c.fields {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := enc.Encode(f.Value(rv)); err != nil {
			return nil, fmt.Errorf("column %s: %w", f.Column, err)
		}
		buf.Truncate(buf.Len() - 1) // Encode's newline
	}
	buf.WriteByte(']')
	return buf.Bytes(), nil
}

func (c *codec) decode(b []byte, v any) error {
	if len(b) < len(c.fp) || !bytes.Equal(b[:len(c.fp)], c.fp[:]) {
		return errOtherVersion
	}
	var cols []json.RawMessage
	if err := json.Unmarshal(b[len(c.fp):], &cols); err != nil {
		return err
	}
	if len(cols) != len(c.fields) {
		return fmt.Errorf("%d columns, want %d", len(cols), len(c.fields))
	}
	rv := reflect.ValueOf(v).Elem()
	for i, f := range c.fields {
		fv := settable(rv, f.Index)
		if err := json.Unmarshal(cols[i], fv.Addr().Interface()); err != nil {
			return fmt.Errorf("column %s: %w", f.Column, err)
		}
	}
	return nil
}

// settable returns the field at index in rv, allocating nil embedded
// pointers on the way.
func settable(rv reflect.Value, index []int) reflect.Value {
	for i, x := range index {
		if i > 0 && rv.Kind() == reflect.Pointer {
			if rv.IsNil() {
				rv.Set(reflect.New(rv.Type().Elem()))
			}
			rv = rv.Elem()
		}
		rv = rv.Field(x)
	}
	return rv
}
