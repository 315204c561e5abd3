package rlsutil

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Beginner starts transactions. *pgx.Conn, *pgxpool.Pool and norm's
// *pool.DB satisfy it, and so does pgx.Tx (its Begin makes a savepoint).
type Beginner interface {
	Begin(ctx context.Context) (pgx.Tx, error)
}

// WithSettings begins a transaction on db, applies s to it (see Apply),
// runs fn and commits when fn returns nil. It rolls back when fn returns
// an error or panics (and then re-panics). Everything fn does through tx
// runs under s; nothing is set at session level.
//
// Given a pgx.Tx, WithSettings works in a savepoint of it: the settings
// then last until the outer transaction ends, unless fn fails, in which
// case the rollback to the savepoint undoes them.
func WithSettings(ctx context.Context, db Beginner, s Settings, fn func(ctx context.Context, tx pgx.Tx) error) (err error) {
	if err := s.Validate(); err != nil {
		return err
	}
	tx, err := db.Begin(ctx)
	if err != nil {
		return fmt.Errorf("rlsutil: begin transaction for %s: %w", s.describe(), err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
			panic(p)
		}
		if err != nil {
			err = errors.Join(err, rollback(ctx, tx))
		}
	}()
	if err := apply(ctx, tx, s); err != nil { // validated above
		return err
	}
	if err := fn(ctx, tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("rlsutil: commit transaction for %s: %w", s.describe(), err)
	}
	return nil
}

// WithTenant is WithSettings with TenantSetting set to tenant and, when
// role is not empty, the transaction's role switched to role.
func WithTenant(ctx context.Context, db Beginner, tenant, role string, fn func(ctx context.Context, tx pgx.Tx) error) error {
	return WithSettings(ctx, db, TenantSettings(tenant, role), fn)
}

func rollback(ctx context.Context, tx pgx.Tx) error {
	err := tx.Rollback(context.WithoutCancel(ctx))
	if err == nil || errors.Is(err, pgx.ErrTxClosed) {
		return nil
	}
	return fmt.Errorf("rlsutil: rollback: %w", err)
}
