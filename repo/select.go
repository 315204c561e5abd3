package repo

import (
	"context"
	"fmt"
	"reflect"
	"sync"

	"github.com/normkit/norm/sqlb"
)

// Statement is a statement that renders PostgreSQL SQL with $n
// placeholders and its arguments: sqlb's SelectBuilder, InsertBuilder,
// UpdateBuilder and DeleteBuilder (with RETURNING), a Query, or anything
// else with that method.
type Statement interface {
	ToSQL() (string, []any, error)
}

// Select runs the statement b on q and scans every row into a T: a join
// projected into a DTO, an aggregate, a report. T is any struct; result
// columns are matched to its fields by name with the tag rules of models
// (db tags, else snake_case; embedded structs flattened, embedded pointers
// allocated as needed), and T needs no table. Rules:
//
//   - A result column that maps to no field of T is an error naming it
//     (as pgx.RowToStructByName reports), and so is a column that appears
//     twice; a field of T with no result column keeps its zero value.
//   - Values are converted by pgx: NULL into a pointer, a sql.Null* or a
//     pgtype value is fine, NULL into a plain int or string is an error
//     naming the column — never a silent zero.
//   - Rows never share memory: each is scanned into a fresh T.
//
// The statement runs on q as given, like a Repository's calls: over
// pool.DB a ctx from InTx joins that transaction; a pgx.Tx runs it there
// (inside a hook, pass repo.TxFrom(ctx)'s transaction). No soft-delete
// scope is added and AfterFind hooks do not run: the statement is run as
// written. It returns an empty (nil) slice when no row matches.
func Select[T any](ctx context.Context, q Runner, b Statement) ([]T, error) {
	return selectRows[T](ctx, "Select", q, b, 0)
}

// Get is Select for one row: it returns ErrNotFound when b yields no row
// and ErrNotUnique when it yields more than one (it reads two rows at most).
func Get[T any](ctx context.Context, q Runner, b Statement) (*T, error) {
	items, err := selectRows[T](ctx, "Get", q, b, 2)
	if err != nil {
		return nil, err
	}
	return one(items, "Get", typeName[T]())
}

// SelectRaw is Select for trusted SQL text with $n placeholders and its
// arguments. Never build sql from user input; pass values as args.
func SelectRaw[T any](ctx context.Context, q Runner, sql string, args ...any) ([]T, error) {
	return queryInto[T](ctx, "SelectRaw", q, sql, args, 0)
}

// GetRaw is Get for trusted SQL text with $n placeholders.
func GetRaw[T any](ctx context.Context, q Runner, sql string, args ...any) (*T, error) {
	items, err := queryInto[T](ctx, "GetRaw", q, sql, args, 2)
	if err != nil {
		return nil, err
	}
	return one(items, "GetRaw", typeName[T]())
}

func selectRows[T any](ctx context.Context, op string, q Runner, b Statement, limit int) ([]T, error) {
	if b == nil {
		return nil, errorf(op, typeName[T](), ErrInvalid, "nil statement")
	}
	sql, args, err := b.ToSQL()
	if err != nil {
		return nil, wrapErr(op, typeName[T](), err)
	}
	return queryInto[T](ctx, op, q, sql, args, limit)
}

// queryInto runs sql on q and scans up to limit rows (0: all) into []T by
// column name.
func queryInto[T any](ctx context.Context, op string, q Runner, sql string, args []any, limit int) ([]T, error) {
	tg, err := targetOf[T]()
	if err != nil {
		return nil, fmt.Errorf("repo: %s: %w", op, err)
	}
	if q == nil {
		return nil, errorf(op, tg.m.Name, ErrInvalid, "nil Querier")
	}
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, wrapErr(op, tg.m.Name, err)
	}
	items, err := scanByName[T](tg.m, tg.inline, rows, limit)
	if err != nil {
		return nil, wrapErr(op, tg.m.Name, err)
	}
	return items, nil
}

// one returns the only item, ErrNotFound or ErrNotUnique.
func one[T any](items []T, op, name string) (*T, error) {
	switch len(items) {
	case 0:
		return nil, wrapErr(op, name, ErrNotFound)
	case 1:
		return &items[0], nil
	}
	return nil, errorf(op, name, ErrNotUnique, "the statement returned more than one row")
}

// target is how rows are scanned into a struct type by column name: its
// sqlb model metadata (the tag rules of models) and whether every field
// is at a fixed offset (see meta.inline).
type target struct {
	m      *sqlb.Model
	inline bool
}

var targets sync.Map // reflect.Type -> *target or error

// targetOf returns the scan target of T, built once per type.
func targetOf[T any]() (*target, error) {
	return perType(&targets, reflect.TypeOf((*T)(nil)).Elem(), buildTarget)
}

func buildTarget(t reflect.Type) (*target, error) {
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("%w: %s: want a struct type to scan rows into", ErrInvalid, t)
	}
	m, err := sqlb.ModelFor(t)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t, err)
	}
	if len(m.Fields) == 0 {
		return nil, fmt.Errorf("%w: %s has no field to scan a column into", ErrInvalid, t)
	}
	inline, unsettable := embedding(m)
	if unsettable != "" {
		return nil, fmt.Errorf("%w: %s: embedded pointer %s is to an unexported struct type, which reading rows cannot allocate: export the type or embed it by value", ErrInvalid, t, unsettable)
	}
	return &target{m: m, inline: inline}, nil
}

// typeName is T's name for messages.
func typeName[T any]() string { return reflect.TypeOf((*T)(nil)).Elem().String() }
