package lock

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// Hold takes a dedicated connection of t and the session lock on it
// (Session). release unlocks (Unlock) and gives the connection back; call
// it exactly once. Everything run on conn meanwhile runs under the lock,
// with no other migrator of the database at work.
func Hold(ctx context.Context, t Target) (conn *pgx.Conn, release func(), err error) {
	conn, giveBack, err := t.Dedicated(ctx)
	if err != nil {
		return nil, nil, err
	}
	if err := Session(ctx, conn); err != nil {
		giveBack()
		return nil, nil, err
	}
	return conn, func() {
		Unlock(ctx, conn)
		giveBack()
	}, nil
}
