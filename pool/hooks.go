package pool

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// chainHooks installs the pgxpool hooks norm needs on pc, around the ones
// Config.ConfigurePool may have set, so a user's hook never silently
// replaces norm's (or the other way round):
//
//   - AfterConnect: the user's first — a connection it rejects is closed
//     by pgxpool before norm records it —, then norm's (the server address
//     the endpoint reaches, the registry Shutdown cancels through).
//   - BeforeClose: norm's (leave the registry), then the user's.
//   - ShouldPing: both are called; the connection is pinged if either
//     asks (norm asks after a lost connection, and when idle over 1s).
func (db *DB) chainHooks(e *endpoint, pc *pgxpool.Config) {
	userConnect, userClose, userPing := pc.AfterConnect, pc.BeforeClose, pc.ShouldPing
	pc.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		if userConnect != nil {
			if err := userConnect(ctx, c); err != nil {
				return err
			}
		}
		e.connected(c)
		return db.conns.add(ctx, c)
	}
	pc.BeforeClose = func(c *pgx.Conn) {
		db.conns.remove(c)
		if userClose != nil {
			userClose(c)
		}
	}
	pc.ShouldPing = func(ctx context.Context, p pgxpool.ShouldPingParams) bool {
		ping := e.shouldPing(ctx, p)
		if userPing != nil && userPing(ctx, p) {
			ping = true
		}
		return ping
	}
}
