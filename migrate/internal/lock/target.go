package lock

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Pool is a pool that hands out connections held for the caller alone.
// migrate.DB and versioned.DB are this interface under their public names.
type Pool interface {
	Acquire(ctx context.Context) (*pgxpool.Conn, error)
}

// Target is where a migrator runs: a pool (OnPool) or one *pgx.Conn
// (OnConn).
type Target interface {
	// Dedicated returns one connection for the caller alone and the
	// function that gives it back.
	Dedicated(ctx context.Context) (*pgx.Conn, func(), error)
}

// OnPool runs on p, acquiring a connection where one session is needed.
func OnPool(p Pool) Target { return poolTarget{p} }

// OnConn runs everything on c; the connection is the caller's and is
// never closed or reset beyond what the migrator itself set.
func OnConn(c *pgx.Conn) Target { return connTarget{c} }

type poolTarget struct{ Pool }

// poolReset undoes the session state a migration may have left on a
// pool's connection before it goes back to the pool (a no-transaction
// file may SET anything): the pool's other users must not inherit it.
// RESET ALL returns every setting to the connection's startup values.
const poolReset = "RESET ALL; RESET ROLE; UNLISTEN *; SELECT pg_advisory_unlock_all(); DISCARD TEMP"

// resetTimeout bounds poolReset and the unlock: a server that does not
// answer costs the connection, not a hung migrator.
const resetTimeout = 5 * time.Second

func (p poolTarget) Dedicated(ctx context.Context) (*pgx.Conn, func(), error) {
	c, err := p.Acquire(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("migrate: acquire a connection: %w", err)
	}
	conn := c.Conn()
	release := func() {
		// Simple protocol, so pgx's statement cache is untouched; a
		// connection that cannot be cleaned is closed, and the pool drops it.
		bg, cancel := context.WithTimeout(context.WithoutCancel(ctx), resetTimeout)
		defer cancel()
		if err := conn.PgConn().Exec(bg, poolReset).Close(); err != nil {
			_ = conn.Close(bg)
		}
		c.Release()
	}
	return conn, release, nil
}

type connTarget struct{ *pgx.Conn }

func (c connTarget) Dedicated(context.Context) (*pgx.Conn, func(), error) {
	return c.Conn, func() {}, nil
}

// On runs fn on a dedicated connection of t and gives it back.
func On[R any](ctx context.Context, t Target, fn func(conn *pgx.Conn) (R, error)) (R, error) {
	conn, release, err := t.Dedicated(ctx)
	if err != nil {
		var zero R
		return zero, err
	}
	defer release()
	return fn(conn)
}
