package pool

import (
	"context"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
)

// resetSQL undoes every kind of session state a statement inside InTx may
// have left on a connection. It is DISCARD ALL without DEALLOCATE ALL and
// DISCARD PLANS, which would drop the statements pgx has prepared and
// cached. It runs only on a connection marked dirty, so ordinary
// transactions pay nothing.
const resetSQL = "CLOSE ALL; SET SESSION AUTHORIZATION DEFAULT; RESET ALL; RESET ROLE; UNLISTEN *; " +
	"SELECT pg_advisory_unlock_all(); DISCARD TEMP; DISCARD SEQUENCES"

// dirtyFlags records the session-level statements a transaction ran.
type dirtyFlags struct{ v atomic.Uint32 }

func (d *dirtyFlags) mark(cl class) { d.v.Or(uint32(cl & classSessionMask)) }
func (d *dirtyFlags) get() class    { return class(d.v.Load()) }

// release gives the outermost transaction's connection back to the pool,
// cleaned first when it was marked dirty; a connection that cannot be
// cleaned is closed instead (pgxpool then drops it).
func (t *tx) release(ctx context.Context) {
	conn := t.conn
	if flags := t.dirty.get(); flags != 0 {
		if err := resetSession(ctx, conn.Conn(), flags); err != nil {
			_ = conn.Conn().Close(ctx) // already failing; the pool discards it
		}
	}
	conn.Release()
}

func resetSession(ctx context.Context, c *pgx.Conn, flags class) error {
	if flags&classSessionPrepare != 0 {
		// Through pgx, so that its statement cache forgets them too.
		if err := c.DeallocateAll(ctx); err != nil {
			return err
		}
	}
	return c.PgConn().Exec(ctx, resetSQL).Close()
}

// sessionError explains how to do what a refused statement wanted.
func sessionError(cl class) error {
	const params = "or put it in Config.RuntimeParams to apply it to every connection"
	switch {
	case cl&classSessionRole != 0:
		return &SessionStateError{Statement: "SET ROLE / SET SESSION AUTHORIZATION",
			Instead: "use InTx with SET LOCAL ROLE (or set_config('role', …, true))"}
	case cl&classSessionConfig != 0:
		return &SessionStateError{Statement: "set_config(…) without the literal third argument true",
			Instead: "use InTx with set_config(name, value, true), " + params}
	case cl&classSessionLock != 0:
		return &SessionStateError{Statement: "a session-level advisory lock",
			Instead: "use InTx with pg_advisory_xact_lock (released at commit), or hold a connection from DB.Acquire"}
	case cl&classSessionListen != 0:
		return &SessionStateError{Statement: "LISTEN",
			Instead: "hold a dedicated connection from DB.Acquire and call WaitForNotification on it"}
	case cl&classSessionTemp != 0:
		return &SessionStateError{Statement: "a temporary table",
			Instead: "use InTx with CREATE TEMP TABLE … ON COMMIT DROP"}
	case cl&classSessionPrepare != 0:
		return &SessionStateError{Statement: "PREPARE",
			Instead: "pass the statement with its arguments: pgx prepares and caches it per connection"}
	}
	return &SessionStateError{Statement: "SET without LOCAL",
		Instead: "use InTx with SET LOCAL (or set_config(name, value, true)), " + params}
}
