package repo

import (
	"context"
	"strings"

	"github.com/normkit/norm/sqlb"
)

// Page is one offset page of a query, with the total count of matching
// rows.
type Page[T any] struct {
	Items  []T
	Number int   // 1-based page number
	Size   int   // page size asked for
	Total  int64 // rows matching the query (soft-delete scoped)
	Pages  int   // number of pages at this size
}

// FindPage returns page number (1-based) of size rows matching conds in
// primary-key order, with the total. Use Query().OrderBy(…).Page for
// another order.
func (r *Repository[T]) FindPage(ctx context.Context, number, size int, conds ...sqlb.Sqlizer) (Page[T], error) {
	if err := r.usable("FindPage"); err != nil {
		return Page[T]{}, err
	}
	return r.Query().Where(conds...).Page(ctx, number, size)
}

// Page returns page number (1-based) of size rows in the query's order
// (the primary key when none is given) and the total count. The query's
// own Limit and Offset are replaced. number < 1 or size < 1 is an error.
func (q Query[T]) Page(ctx context.Context, number, size int) (Page[T], error) {
	const op = "Page"
	if err := q.check(op); err != nil {
		return Page[T]{}, err
	}
	if number < 1 || size < 1 {
		return Page[T]{}, errorf(op, q.r.table(), ErrInvalid, "page %d of size %d (both must be >= 1)", number, size)
	}
	total, err := q.Count(ctx)
	if err != nil {
		return Page[T]{}, err
	}
	q.order = q.pkOrder()
	q.limit, q.offset = int64(size), int64(number-1)*int64(size)
	items, err := q.run(ctx, op)
	if err != nil {
		return Page[T]{}, err
	}
	return Page[T]{Items: items, Number: number, Size: size, Total: total,
		Pages: int((total + int64(size) - 1) / int64(size))}, nil
}

// CursorPage is one keyset page: its rows and the opaque tokens of the
// next and previous pages ("" when there is none).
type CursorPage[T any] struct {
	Items []T
	Next  string
	Prev  string
}

// prevMark starts a token that reads backwards (a previous-page link).
// It is outside the base64url alphabet of CursorCodec tokens.
const prevMark = "~"

// FindCursor returns the keyset page at token ("" for the first page) of
// size rows matching conds, in primary-key order. Tokens are signed by
// codec, so clients cannot forge them.
func (r *Repository[T]) FindCursor(ctx context.Context, codec *sqlb.CursorCodec, token string, size int, conds ...sqlb.Sqlizer) (CursorPage[T], error) {
	if err := r.usable("FindCursor"); err != nil {
		return CursorPage[T]{}, err
	}
	return r.Query().Where(conds...).Cursor(ctx, codec, token, size)
}

// Cursor returns the keyset page at token of size rows in the query's
// order (the primary key when none is given), with the primary key as
// tie-breaker. token is "" for the first page, or a Next or Prev token of
// an earlier page; "~" alone is the last page. Rows always come in the
// query's order. A token made for another ordering or altered is an error
// (sqlb.ErrCursor).
//
// Sort keys must be NOT NULL columns: a comparison with NULL is never
// true, so rows whose key is NULL would silently never come. A sort key
// naming a column of T that accepts NULL (a pointer, sql.Null*, pgtype
// field, or one tagged nullable) is refused with ErrInvalid; keys that are
// not plain columns of T are the caller's to check.
func (q Query[T]) Cursor(ctx context.Context, codec *sqlb.CursorCodec, token string, size int) (CursorPage[T], error) {
	const op = "Cursor"
	if err := q.check(op); err != nil {
		return CursorPage[T]{}, err
	}
	if codec == nil || size < 1 {
		return CursorPage[T]{}, errorf(op, q.r.table(), ErrInvalid, "need a CursorCodec and size >= 1")
	}
	if col, ok := q.r.mt.nullableSortKey(q.order); ok {
		return CursorPage[T]{}, errorf(op, q.r.table(), ErrInvalid,
			"sort key %q accepts NULL, and keyset pages would skip the rows where it is NULL; sort by NOT NULL columns", col)
	}
	raw, back := strings.CutPrefix(token, prevMark)
	cur, err := codec.Decode(raw)
	if err != nil {
		return CursorPage[T]{}, wrapErr(op, q.r.table(), err)
	}
	pk := make([]string, len(q.r.mt.m.PK))
	for i, f := range q.r.mt.m.PK {
		pk[i] = q.r.mt.table + "." + f.Quoted()
	}
	b := q.base(q.r.mt.qcols...).OrderBy(q.pkOrder()...).TieBreaker(pk...).Limit(int64(size) + 1)
	if back {
		b = b.Before(cur)
	} else {
		b = b.After(cur)
	}
	items, err := q.runBuilder(ctx, op, b)
	if err != nil {
		return CursorPage[T]{}, err
	}
	more := len(items) > size
	switch {
	case more && back:
		items = items[1:]
	case more:
		items = items[:size]
	}
	page := CursorPage[T]{Items: items}
	if len(items) == 0 {
		return page, nil
	}
	hasNext := (more && !back) || (back && !cur.IsZero())
	hasPrev := (more && back) || (!back && !cur.IsZero())
	if hasNext {
		if page.Next, err = encodeAt(codec, b, &items[len(items)-1]); err != nil {
			return CursorPage[T]{}, wrapErr(op, q.r.table(), err)
		}
	}
	if hasPrev {
		if page.Prev, err = encodeAt(codec, b, &items[0]); err != nil {
			return CursorPage[T]{}, wrapErr(op, q.r.table(), err)
		}
		page.Prev = prevMark + page.Prev
	}
	return page, nil
}

// nullableSortKey returns the first of keys that names a column of the
// model accepting NULL, bare or qualified by the model's table.
func (mt *meta) nullableSortKey(keys []sqlb.SortKey) (string, bool) {
	for _, k := range keys {
		col := k.Column
		if i := strings.LastIndexByte(col, '.'); i >= 0 {
			qual := col[:i]
			if qual != mt.m.Table && qual != mt.m.Schema+"."+mt.m.Table {
				continue // another table's column (a join)
			}
			col = col[i+1:]
		}
		if f := mt.m.Field(col); f != nil && f.IsNullable() {
			return k.Column, true
		}
	}
	return "", false
}

// encodeAt returns the token of the position of row in b's ordering.
func encodeAt(codec *sqlb.CursorCodec, b sqlb.SelectBuilder, row any) (string, error) {
	c, err := b.CursorFrom(row)
	if err != nil {
		return "", err
	}
	return codec.Encode(c)
}
