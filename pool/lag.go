package pool

import (
	"sync"
	"sync/atomic"
	"time"
)

// Replica lag is measured against the primary, not only from the
// replica's own view. A replica cut off from its primary (a broken WAL
// stream, a partitioned network) has received nothing it has not
// replayed, so its own numbers — receive minus replay, the age of the
// last replayed transaction while something waits — say "no lag" however
// old its data is. What does show it is the primary's WAL flush position:
// once the primary has flushed a position the replica has not replayed,
// the replica is missing data from at least that moment on.

// lsnAt is a primary WAL position and when it was read.
type lsnAt struct {
	lsn uint64
	at  int64 // unix nanoseconds
}

// maxPendingPositions bounds lagTracker.pending. When full, the newest
// entry is overwritten, which keeps the oldest: the measure stays
// conservative (never shorter than the truth by more than a probe period).
const maxPendingPositions = 64

// lagTracker remembers the primary positions a replica has not replayed
// yet, oldest first, so that the replica's staleness is known: it lacks
// data the primary had at pending[0].at. Only the health path touches it.
type lagTracker struct {
	mu      sync.Mutex
	pending []lsnAt
	// since is what observe last returned, published for routing, which
	// reads it without the lock. Written under mu, so that concurrent
	// probes (the primary's and the replica's) publish in order.
	since atomic.Int64
}

// observe records that the primary was at p and that the replica has
// replayed up to replay, and returns since when the replica has been
// missing data the primary had (unix nanoseconds), or 0 when it has
// replayed every position seen so far.
func (lt *lagTracker) observe(p lsnAt, replay uint64) int64 {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	i := 0
	for i < len(lt.pending) && lt.pending[i].lsn <= replay {
		i++
	}
	lt.pending = append(lt.pending[:0], lt.pending[i:]...)
	if p.at != 0 && p.lsn > replay {
		switch n := len(lt.pending); {
		case n > 0 && lt.pending[n-1].lsn >= p.lsn:
			// Already known to be missing, from an earlier moment.
		case n >= maxPendingPositions:
			lt.pending[n-1] = p
		default:
			lt.pending = append(lt.pending, p)
		}
	}
	since := int64(0)
	if len(lt.pending) > 0 {
		since = lt.pending[0].at
	}
	lt.since.Store(since)
	return since
}

// reset forgets every pending position (the replica was promoted, or is
// down: its next probe starts afresh).
func (lt *lagTracker) reset() {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	lt.pending = lt.pending[:0]
	lt.since.Store(0)
}

// staleFor returns how long a replica whose missing data dates from since
// (unix nanoseconds, 0 for none) has been stale at now.
func staleFor(since int64, now time.Time) time.Duration {
	if since == 0 {
		return 0
	}
	return max(now.Sub(time.Unix(0, since)), 0)
}
