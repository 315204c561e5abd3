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
	tx, err := r.q.Begin(ctx)
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

// abilities are the optional abilities of a Querier (see TxCarrier,
// AfterCommitter and PrimaryRouter), nil where it has none.
type abilities struct {
	tx      TxCarrier
	commit  AfterCommitter
	primary PrimaryRouter
}

// abilitiesOf finds q's optional abilities. It is the one place a
// repository type-asserts the Querier it was handed; every ability a call
// needs is in Querier itself.
func abilitiesOf(q Querier) abilities {
	tx, _ := q.(TxCarrier)
	commit, _ := q.(AfterCommitter)
	primary, _ := q.(PrimaryRouter)
	return abilities{tx: tx, commit: commit, primary: primary}
}

// afterCommit runs fn after the outermost commit of the transaction ctx
// carries when the Querier can tell (AfterCommitter), and at once
// otherwise.
func (r *Repository[T]) afterCommit(ctx context.Context, fn func()) {
	if r.pend != nil {
		r.pend.add(fn)
		return
	}
	if r.can.commit != nil && r.can.commit.AfterCommit(ctx, fn) {
		return
	}
	fn()
}

// ctxInTx reports whether reads on ctx run inside a transaction: the
// repository is bound to a pgx.Tx, or the Querier says ctx carries one
// (TxCarrier). Such reads bypass the cache.
func (r *Repository[T]) ctxInTx(ctx context.Context) bool {
	return r.boundTx || (r.can.tx != nil && r.can.tx.HasTx(ctx))
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
