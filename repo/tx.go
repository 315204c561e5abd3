package repo

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// inTx runs fn in a transaction begun through the Querier's Begin ability:
// a real transaction over a connection or pool, a savepoint inside a
// pgx.Tx or inside pool.DB's ctx-carried transaction. fn's error (or a
// panic) rolls it back, so nothing fn wrote survives.
func (r *Repository[T]) inTx(ctx context.Context, op string, fn func(ctx context.Context, q Querier) error) (err error) {
	b, ok := r.q.(Beginner)
	if !ok {
		return errorf(op, r.table(), ErrUnsupported, "%T cannot Begin a transaction", r.q)
	}
	tx, err := b.Begin(ctx)
	if err != nil {
		return wrapErr(op+": begin", r.table(), err)
	}
	done := false
	defer func() {
		if !done {
			_ = tx.Rollback(context.WithoutCancel(ctx)) // the first error is the one to report
		}
	}()
	if err := fn(context.WithValue(ctx, txKey{}, tx), tx); err != nil {
		return err
	}
	done = true
	if err := tx.Commit(ctx); err != nil {
		return wrapErr(op+": commit", r.table(), err)
	}
	return nil
}

// write runs fn in a transaction when hooks need one, on the Querier
// otherwise.
func (r *Repository[T]) write(ctx context.Context, op string, hooks bool, fn func(ctx context.Context, q Querier) error) error {
	if hooks {
		return r.inTx(ctx, op, fn)
	}
	return fn(ctx, r.q)
}

// afterCommit runs fn after the outermost commit of the transaction ctx
// carries when the Querier can tell (pool.DB's AfterCommit), and at once
// otherwise.
func (r *Repository[T]) afterCommit(ctx context.Context, fn func()) {
	if r.pend != nil {
		r.pend.add(fn)
		return
	}
	if ac, ok := r.q.(AfterCommitter); ok && ac.AfterCommit(ctx, fn) {
		return
	}
	fn()
}

// ctxInTx reports whether reads on ctx run inside a transaction: the
// repository is bound to a pgx.Tx, or the Querier's AfterCommit ability
// says ctx carries one. Such reads bypass the cache.
func (r *Repository[T]) ctxInTx(ctx context.Context) bool {
	if r.boundTx {
		return true
	}
	if ac, ok := r.q.(AfterCommitter); ok {
		return ac.AfterCommit(ctx, func() {})
	}
	return false
}

type txKey struct{}

// TxFrom returns the transaction a repository began for the operation in
// progress (a hooked write, a multi-statement batch), for hooks that must
// write in the same transaction; ok is false outside such an operation.
// Over pool.DB inside InTx, ctx also carries the caller's transaction.
func TxFrom(ctx context.Context) (tx pgx.Tx, ok bool) {
	tx, ok = ctx.Value(txKey{}).(pgx.Tx)
	return tx, ok
}
