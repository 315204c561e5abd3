package lock

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Backoff is the wait between two polls for the lock: it starts at
// FirstWait and doubles up to MaxWait.
//
// Of the two loops the migrators had before sharing this one (the
// planner's 20 ms doubling to 1 s, the runner's 10 ms doubling to
// 500 ms), this keeps the runner's: a poll is one trivial statement, so
// polling often costs the server nearly nothing, while a waiter that sleeps
// a whole second notices a released lock up to a second late — on every
// version of a deploy that runs a queue of migrators. The timer is stopped
// when ctx ends, so a canceled wait leaves nothing behind.
const (
	FirstWait = 10 * time.Millisecond
	MaxWait   = 500 * time.Millisecond
)

// backoff is one waiter's state.
type backoff struct{ wait time.Duration }

// sleep waits the current backoff (or until ctx ends) and doubles it up
// to MaxWait.
func (b *backoff) sleep(ctx context.Context) error {
	if b.wait == 0 {
		b.wait = FirstWait
	}
	t := time.NewTimer(b.wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return fmt.Errorf("migrate: wait for the migration lock held by another migrator: %w", ctx.Err())
	case <-t.C:
	}
	b.wait = min(b.wait*2, MaxWait)
	return nil
}

// Session takes pg_advisory_lock(Key) on conn by polling
// pg_try_advisory_lock, so no statement of this connection waits (and
// holds a snapshot) while another migrator works. Unlock releases it.
func Session(ctx context.Context, conn *pgx.Conn) error {
	var b backoff
	for {
		var ok bool
		if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", Key).Scan(&ok); err != nil {
			return fmt.Errorf("migrate: take the session migration lock: %w", err)
		}
		if ok {
			return nil
		}
		if err := b.sleep(ctx); err != nil {
			return err
		}
	}
}

// Unlock releases the session lock Session took, even when ctx has
// ended. A connection on which the unlock fails is closed: left open it
// could keep the lock, and every migrator waiting for it, forever.
func Unlock(ctx context.Context, conn *pgx.Conn) {
	bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), resetTimeout)
	defer cancel()
	if _, err := conn.Exec(bg, "SELECT pg_advisory_unlock($1)", Key); err != nil {
		_ = conn.Close(bg)
	}
}

// Begin begins a transaction on conn holding pg_advisory_xact_lock(Key),
// released by its commit or rollback. It polls with
// pg_try_advisory_xact_lock and waits between attempts with no
// transaction open: a migrator blocked inside a transaction would make
// another migrator's CREATE INDEX CONCURRENTLY (which waits for every
// older transaction) deadlock with it.
func Begin(ctx context.Context, conn *pgx.Conn) (pgx.Tx, error) {
	var b backoff
	for {
		tx, err := conn.Begin(ctx)
		if err != nil {
			return nil, fmt.Errorf("migrate: begin: %w", err)
		}
		var ok bool
		if err := tx.QueryRow(ctx, "SELECT pg_try_advisory_xact_lock($1)", Key).Scan(&ok); err != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
			return nil, fmt.Errorf("migrate: take the migration lock: %w", err)
		}
		if ok {
			return tx, nil
		}
		if err := tx.Rollback(ctx); err != nil {
			return nil, fmt.Errorf("migrate: wait for the migration lock: %w", err)
		}
		if err := b.sleep(ctx); err != nil {
			return nil, err
		}
	}
}
