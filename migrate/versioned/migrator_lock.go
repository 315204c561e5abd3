package versioned

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/normkit/norm/migrate/internal/lock"
)

// lockedTx runs fn in a transaction, on a connection of its own, holding
// pg_advisory_xact_lock(LockKey)
// with lock_timeout and statement_timeout set locally. It commits when fn
// returns true and no error, and rolls back otherwise.
func (mg *Migrator) lockedTx(ctx context.Context, fn func(tx pgx.Tx) (bool, error)) (done bool, err error) {
	conn, release, err := mg.db.Dedicated(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	tx, err := lock.Begin(ctx, conn)
	if err != nil {
		return false, err
	}
	defer func() {
		if !done || err != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	if _, err := tx.Exec(ctx, "SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $2, true)",
		timeoutSetting(mg.opts.LockTimeout), timeoutSetting(mg.opts.StatementTimeout)); err != nil {
		return false, fmt.Errorf("migrate: set timeouts: %w", err)
	}
	ok, err := fn(tx)
	if err != nil || !ok {
		return false, err
	}
	if err := tx.Commit(ctx); err != nil {
		return false, fmt.Errorf("migrate: commit: %w", err)
	}
	return true, nil
}

// sessionConn returns one connection held for a whole no-transaction
// migration, locked with pg_advisory_lock(LockKey) and with the timeouts
// set for the session. release resets the timeouts, unlocks and gives the
// connection back (closing it if the reset fails).
func (mg *Migrator) sessionConn(ctx context.Context) (conn *pgx.Conn, release func(), err error) {
	conn, unlock, err := lock.Hold(ctx, mg.db)
	if err != nil {
		return nil, nil, err
	}
	release = func() {
		_, err := conn.Exec(context.WithoutCancel(ctx), "RESET lock_timeout; RESET statement_timeout")
		if err != nil {
			_ = conn.Close(context.WithoutCancel(ctx))
		}
		unlock()
	}
	if _, err := conn.Exec(ctx, "SELECT set_config('lock_timeout', $1, false), set_config('statement_timeout', $2, false)",
		timeoutSetting(mg.opts.LockTimeout), timeoutSetting(mg.opts.StatementTimeout)); err != nil {
		release()
		return nil, nil, fmt.Errorf("migrate: set timeouts: %w", err)
	}
	return conn, release, nil
}
