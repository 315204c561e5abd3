package pool

import (
	"context"
	"sync/atomic"
	"time"
)

// writeTracker gives every *DB read-your-writes by default: after a write
// through the DB, its routed reads go to the primary until the WAL
// position of that write is known, and then only to replicas that have
// replayed it. Reads of a read-mostly workload still go to replicas: one
// goroutine reads the primary's position after each burst of writes and
// polls the replicas until one has replayed it, which on one network
// takes a millisecond or two (with synchronous_commit = on; with off, a
// commit reaches replicas only when the WAL writer flushes it, up to
// wal_writer_delay later).
//
// The write path pays an atomic increment and a non-blocking channel
// send; the read path three atomic loads. Config.AllowStaleReads turns
// it off.
type writeTracker struct {
	seq       atomic.Uint64 // writes completed through the DB
	confirmed atomic.Uint64 // seq value covered by lsn
	lsn       atomic.Uint64 // primary WAL position at or past every write up to confirmed
	wake      chan struct{} // a write happened (capacity 1)
}

// note records a completed write. It must run before the write's caller
// gets its result, so that the caller's next read sees it pending.
func (w *writeTracker) note() {
	w.seq.Add(1)
	w.signal()
}

// signal wakes the tracker without blocking.
func (w *writeTracker) signal() {
	select {
	case w.wake <- struct{}{}:
	default: // already signaled: the tracker reads seq afresh
	}
}

// need reports whether a read may go to a replica at all (no write of
// this DB awaits its position) and the WAL position the replica must have
// replayed.
func (w *writeTracker) need() (ok bool, lsn uint64) {
	if w.seq.Load() != w.confirmed.Load() {
		return false, 0
	}
	return true, w.lsn.Load()
}

// Polling of replicas after a write: start fast, back off, give up after
// catchUpWait (the health loop's probes take over from there).
const (
	catchUpFirstPoll = 200 * time.Microsecond
	catchUpMaxPoll   = 5 * time.Millisecond
	catchUpWait      = 2 * time.Second
	// catchUpProbeTimeout bounds one probe of a replica: generous, since
	// a probe that times out drops the health connection (the next one
	// reconnects) and canceling it waits for CancelGracePeriod.
	catchUpProbeTimeout = 250 * time.Millisecond
)

// trackWrites runs until ctx ends: after each burst of writes it reads a
// primary WAL position at or past every commit that returned before the
// read (committedLSNSQL), publishes it, and polls the replicas until one
// has replayed it.
func (db *DB) trackWrites(ctx context.Context) {
	w := &db.writes
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.wake:
		}
		seq := w.seq.Load()
		lsn, err := db.primary.prober.committedLSN(ctx, db.primary)
		if err != nil {
			// Reads stay on the primary; try again shortly.
			select {
			case <-ctx.Done():
				return
			case <-time.After(catchUpMaxPoll):
			}
			w.signal()
			continue
		}
		if lsn > w.lsn.Load() {
			w.lsn.Store(lsn)
		}
		w.confirmed.Store(seq)
		db.awaitCatchUp(ctx, lsn)
	}
}

// awaitCatchUp probes the replicas through their health connections until
// one has replayed lsn, a new write arrives, catchUpWait passes or ctx
// ends. What it sees is published, so routing can use the replica at once.
func (db *DB) awaitCatchUp(ctx context.Context, lsn uint64) {
	deadline := time.Now().Add(catchUpWait)
	poll := catchUpFirstPoll
	for {
		for _, r := range db.replicas {
			if r.replayLSN.Load() >= lsn && r.up.Load() {
				return
			}
		}
		for _, r := range db.replicas {
			if !r.up.Load() {
				continue
			}
			pctx, cancel := context.WithTimeout(ctx, catchUpProbeTimeout)
			res, err := r.prober.run(pctx, r, func() bool { return r.replayLSN.Load() >= lsn })
			cancel()
			if err == nil {
				db.publishLag(r, res)
			}
			if r.replayLSN.Load() >= lsn {
				return
			}
		}
		if len(db.writes.wake) > 0 || time.Now().After(deadline) {
			return // a newer position is coming, or the health loop takes over
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(poll):
		}
		poll = min(2*poll, catchUpMaxPoll)
	}
}
