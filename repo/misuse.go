package repo

import (
	"fmt"
	"reflect"
)

// usable returns an error wrapping ErrMisuse, naming op and what is wrong,
// when r was not built by New: a nil pointer, the zero value, or a copy
// bound to no Querier (WithTx(nil)). Every exported method that returns
// an error calls it first, so misuse is an error, never a panic.
func (r *Repository[T]) usable(op string) error {
	switch {
	case r == nil:
		return fmt.Errorf("repo: %s: %w: nil *%s; build one with repo.New", op, ErrMisuse, repositoryName[T]())
	case r.mt == nil || r.cfg == nil:
		return fmt.Errorf("repo: %s: %w: zero %s; build one with repo.New", op, ErrMisuse, repositoryName[T]())
	case r.q == nil:
		return fmt.Errorf("repo: %s %s: %w: no Querier (WithTx(nil)?)", op, r.table(), ErrMisuse)
	}
	return nil
}

// repositoryName is "repo.Repository[<T>]", for messages.
func repositoryName[T any]() string {
	return "repo.Repository[" + reflect.TypeOf((*T)(nil)).Elem().String() + "]"
}

// failing is a condition that cannot be rendered: the builder that
// Query.Builder returns for a query that cannot run carries one, so its
// ToSQL reports why.
type failing struct{ err error }

// ToSql returns the error.
func (f failing) ToSql() (string, []any, error) { return "", nil, f.err } //nolint:revive // squirrel.Sqlizer
