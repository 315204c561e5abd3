package observe

import (
	"strconv"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
)

// connCalls holds the events of the calls in progress on one connection,
// one slot per kind a connection runs: a prepare may run inside a query
// or a batch, never a call of the same kind inside another. An acquire's
// slot is that of the connection acquired, filled at the end of the
// acquire (see acquireCtx). Connects have none. A pgx.Conn
// serves one call at a time, on one goroutine, so the slots need no lock,
// and a slot is reused by the next call of its kind on the connection:
// the call pays no allocation for its event.
type connCalls [KindAcquire + 1]connCall

type connCall struct {
	ev   Event
	open bool // started and not yet ended
}

// connKeys numbers the tracers, so that each keeps its slots under a key
// of its own in a connection's CustomData.
var connKeys atomic.Uint64

func newConnKey() string {
	return "norm/observe#" + strconv.FormatUint(connKeys.Add(1), 10)
}

// connSlot returns the slot of kind on conn, made on the connection's first
// call; nil when conn is nil or has no CustomData map (a connection built
// by hand from a hijacked one), in which case the call carries its event
// in its context instead.
func (t *Tracer) connSlot(conn *pgx.Conn, kind Kind) *connCall {
	if conn == nil || kind == KindConnect || kind > KindAcquire {
		return nil
	}
	pg := conn.PgConn()
	if pg == nil {
		return nil
	}
	data := pg.CustomData()
	if data == nil {
		return nil
	}
	calls, ok := data[t.connKey].(*connCalls)
	if !ok {
		calls = new(connCalls)
		data[t.connKey] = calls
	}
	return &calls[kind]
}
