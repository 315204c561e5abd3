package pool

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
)

// Session is a read-your-writes token: the WAL position of the last write
// committed through a ctx carrying it. While a Session is in ctx, reads —
// routed statements and read-only InTx alike — go to a replica only once
// that replica has replayed past that position (known from the health
// loop's last probe, so the check costs nothing), otherwise to the primary,
// after waiting up to Config.ReplicaWait for a replica to catch up — a user
// never fails to see what they just saved. Remembering a position costs
// one round trip after each write.
//
// A Session is safe for concurrent use. Keep one per user (for example
// across HTTP requests, via LSN and SetLSN in a cookie or a header; see
// FormatLSN and ParseLSN) or per request.
type Session struct {
	lsn atomic.Uint64
}

// LSN returns the session's last write position (0 before any write).
func (s *Session) LSN() uint64 { return s.lsn.Load() }

// SetLSN raises the session's position to lsn (a lower value is ignored),
// e.g. to restore a session saved in a cookie.
func (s *Session) SetLSN(lsn uint64) {
	for {
		cur := s.lsn.Load()
		if lsn <= cur || s.lsn.CompareAndSwap(cur, lsn) {
			return
		}
	}
}

// WithSession returns a ctx carrying s: writes through it advance s, and
// reads through it honor it.
func WithSession(ctx context.Context, s *Session) context.Context {
	return withState(ctx, func(st *ctxState) { st.session = s })
}

// ReadYourWrites returns a ctx carrying a new Session (or ctx itself when it
// already carries one).
func ReadYourWrites(ctx context.Context) context.Context {
	if st := stateOf(ctx); st != nil && st.session != nil {
		return ctx
	}
	return WithSession(ctx, new(Session))
}

// SessionFrom returns the Session in ctx, or nil.
func SessionFrom(ctx context.Context) *Session {
	if st := stateOf(ctx); st != nil {
		return st.session
	}
	return nil
}

// committedLSNSQL reads a primary WAL position at or past the commit
// record of every transaction that committed before it runs. A commit
// with synchronous_commit on (or local, remote_write, remote_apply) has
// flushed its record before it returns, so the flush position suffices —
// and unlike the insert position it does not include WAL that nobody has
// flushed yet (other sessions' asynchronous commits, records of open
// transactions), which replicas cannot have and would be waited for in
// vain until the WAL writer flushes it. With synchronous_commit off (read
// here from the session's own setting, which carries database and role
// defaults) a returned commit may not be flushed yet, so the insert
// position is taken. A transaction that turns synchronous_commit off
// with SET LOCAL is not seen here: it may be read stale from a replica
// for up to wal_writer_delay.
const committedLSNSQL = `SELECT (CASE WHEN current_setting('synchronous_commit') = 'off'
  THEN pg_current_wal_insert_lsn() ELSE pg_current_wal_flush_lsn() END - '0/0'::pg_lsn)::int8`

// remember records the primary's current WAL position in s after a write
// committed. If the position cannot be read the write still stands; s is
// then pinned to the primary (reads through it stop using replicas), which
// is slower but never stale.
func (db *DB) remember(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, s *Session) {
	var lsn int64
	if err := q.QueryRow(ctx, committedLSNSQL).Scan(&lsn); err != nil {
		s.SetLSN(math.MaxUint64)
		return
	}
	s.SetLSN(uint64(lsn))
}

// FormatLSN returns lsn in PostgreSQL's text form of a pg_lsn, two
// hexadecimal halves such as "16/B374D848" — what pg_current_wal_lsn()
// prints, and what ParseLSN reads back. It is the form to hand a client
// (a cookie, a header) that sends the position back with its next request.
func FormatLSN(lsn uint64) string {
	return fmt.Sprintf("%X/%X", lsn>>32, lsn&0xFFFFFFFF)
}

// ErrLSNSyntax is matched (errors.Is) by ParseLSN's errors.
var ErrLSNSyntax = errors.New("pool: malformed LSN")

// ParseLSN reads the text form of a pg_lsn ("16/B374D848": one to eight
// hexadecimal digits, a slash, one to eight more; either case) into the
// number Session.SetLSN takes. It is how a position received from outside
// — a client's cookie or header — seeds a Session:
//
//	lsn, err := pool.ParseLSN(r.Header.Get("X-LSN"))
//	if err != nil { /* 400 */ }
//	s := new(pool.Session)
//	s.SetLSN(lsn)
//	ctx = pool.WithSession(ctx, s)
//
// Anything else, the empty string included, is an error matching
// ErrLSNSyntax; the error does not repeat the input.
func ParseLSN(text string) (uint64, error) {
	hi, lo, ok := strings.Cut(text, "/")
	// ParseUint in base 16 takes no sign, prefix or separator; the length
	// bound is PostgreSQL's own.
	h, errH := strconv.ParseUint(hi, 16, 32)
	l, errL := strconv.ParseUint(lo, 16, 32)
	if !ok || len(hi) > 8 || len(lo) > 8 || errH != nil || errL != nil {
		return 0, fmt.Errorf("%w: want two hexadecimal numbers of 1 to 8 digits separated by '/', e.g. 16/B374D848", ErrLSNSyntax)
	}
	return h<<32 | l, nil
}
