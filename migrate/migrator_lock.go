package migrate

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// lockedTx runs fn in a transaction, on a connection of its own, holding
// pg_advisory_xact_lock(LockKey)
// with lock_timeout and statement_timeout set locally. It commits when fn
// returns true and no error, and rolls back otherwise.
func (mg *Migrator) lockedTx(ctx context.Context, fn func(tx pgx.Tx) (bool, error)) (done bool, err error) {
	conn, release, err := mg.db.dedicated(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	tx, err := beginLocked(ctx, conn)
	if err != nil {
		return false, err
	}
	defer func() {
		if !done || err != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	if _, err := tx.Exec(ctx, "SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $2, true)",
		fileTimeout(mg.opts.LockTimeout), fileTimeout(mg.opts.StatementTimeout)); err != nil {
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

// beginLocked begins a transaction on conn holding pg_advisory_xact_lock(LockKey).
// It polls with pg_try_advisory_xact_lock and waits between attempts with
// no transaction open: a migrator blocked inside a transaction would make
// another migrator's CREATE INDEX CONCURRENTLY (which waits for every
// older transaction) deadlock with it.
func beginLocked(ctx context.Context, conn *pgx.Conn) (pgx.Tx, error) {
	wait := 10 * time.Millisecond
	for {
		tx, err := conn.Begin(ctx)
		if err != nil {
			return nil, fmt.Errorf("migrate: begin: %w", err)
		}
		var ok bool
		if err := tx.QueryRow(ctx, "SELECT pg_try_advisory_xact_lock($1)", LockKey).Scan(&ok); err != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
			return nil, fmt.Errorf("migrate: take the migration lock: %w", err)
		}
		if ok {
			return tx, nil
		}
		if err := tx.Rollback(ctx); err != nil {
			return nil, fmt.Errorf("migrate: wait for the migration lock: %w", err)
		}
		if err := fileSleep(ctx, &wait); err != nil {
			return nil, err
		}
	}
}

// fileSleep waits *wait (doubling it up to half a second) or until ctx
// ends.
func fileSleep(ctx context.Context, wait *time.Duration) error {
	t := time.NewTimer(*wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return fmt.Errorf("migrate: wait for the migration lock held by another migrator: %w", ctx.Err())
	case <-t.C:
	}
	*wait = min(*wait*2, 500*time.Millisecond)
	return nil
}

// fileLockSession takes pg_advisory_lock(LockKey) on conn by polling
// pg_try_advisory_lock, so no statement of this connection waits (and
// holds a transaction open) while another migrator works.
func fileLockSession(ctx context.Context, conn *pgx.Conn) error {
	wait := 10 * time.Millisecond
	for {
		var ok bool
		if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", LockKey).Scan(&ok); err != nil {
			return fmt.Errorf("migrate: take the session migration lock: %w", err)
		}
		if ok {
			return nil
		}
		if err := fileSleep(ctx, &wait); err != nil {
			return err
		}
	}
}

// sessionConn returns one connection held for a whole no-transaction
// migration, locked with pg_advisory_lock(LockKey) and with the timeouts
// set for the session. release resets the timeouts, unlocks and gives the
// connection back (closing it if the reset fails).
func (mg *Migrator) sessionConn(ctx context.Context) (conn *pgx.Conn, release func(), err error) {
	conn, giveBack, err := mg.db.dedicated(ctx)
	if err != nil {
		return nil, nil, err
	}
	release = func() {
		bg := context.WithoutCancel(ctx)
		_, err := conn.Exec(bg, fmt.Sprintf("RESET lock_timeout; RESET statement_timeout; SELECT pg_advisory_unlock(%d)", LockKey))
		if err != nil {
			_ = conn.Close(bg)
		}
		giveBack()
	}
	if err := fileLockSession(ctx, conn); err != nil {
		giveBack()
		return nil, nil, err
	}
	if _, err := conn.Exec(ctx, "SELECT set_config('lock_timeout', $1, false), set_config('statement_timeout', $2, false)",
		fileTimeout(mg.opts.LockTimeout), fileTimeout(mg.opts.StatementTimeout)); err != nil {
		release()
		return nil, nil, fmt.Errorf("migrate: set timeouts: %w", err)
	}
	return conn, release, nil
}
