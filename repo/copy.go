package repo

import (
	"context"
	"reflect"

	"github.com/jackc/pgx/v5"
	"github.com/normkit/norm/sqlb"
)

// CopyFrom loads items with COPY FROM STDIN through the Querier's
// CopyFrom (every Querier has it)
// and returns the number of rows written. It writes every writable column
// as given — a nil pointer is NULL, column defaults do not apply to the
// listed columns — and reads nothing back (no generated IDs). A COPY is one
// statement: it writes all rows or none, inside the caller's transaction
// when there is one. No hooks, no audit; cache keys are not touched (the
// rows are new).
func (r *Repository[T]) CopyFrom(ctx context.Context, items []T) (int64, error) {
	if err := r.usable("CopyFrom"); err != nil {
		return 0, err
	}
	if r.wrapNotify(ctx) {
		return notifyingN(ctx, r, "CopyFrom", func(w *Repository[T]) (int64, error) { return w.CopyFrom(ctx, items) })
	}
	const op = "CopyFrom"
	if len(items) == 0 {
		return 0, nil
	}
	fields := r.mt.insertFields()
	cols := make([]string, len(fields))
	for i, f := range fields {
		cols[i] = f.Column
	}
	parts, err := sqlb.SplitQualified(r.mt.table)
	if err != nil {
		return 0, wrapErr(op, r.table(), err)
	}
	n, err := r.q.CopyFrom(ctx, pgx.Identifier(parts), cols, &copySource[T]{items: items, fields: fields, i: -1})
	if err != nil {
		return 0, wrapErr(op, r.table(), err)
	}
	return n, nil
}

// copySource feeds items to pgx's CopyFrom, one row of field values at a
// time (the value slice is reused: pgx encodes a row before asking for the
// next).
type copySource[T any] struct {
	items  []T
	fields []*sqlb.Field
	i      int
	vals   []any
}

func (s *copySource[T]) Next() bool {
	s.i++
	return s.i < len(s.items)
}

func (s *copySource[T]) Values() ([]any, error) {
	if s.vals == nil {
		s.vals = make([]any, len(s.fields))
	}
	rv := reflect.ValueOf(&s.items[s.i]).Elem()
	for j, f := range s.fields {
		s.vals[j] = f.Value(rv)
	}
	return s.vals, nil
}

func (s *copySource[T]) Err() error { return nil }
