package pool

import (
	"testing"
	"time"
)

func TestLagTrackerMeasuresFromTheOldestUnreplayedPosition(t *testing.T) {
	t.Parallel()
	var lt lagTracker
	steps := []struct {
		name   string
		p      lsnAt
		replay uint64
		want   int64
	}{
		{"caught up", lsnAt{lsn: 100, at: 1}, 100, 0},
		{"ahead of the primary sample", lsnAt{lsn: 100, at: 2}, 120, 0},
		{"behind from now on", lsnAt{lsn: 200, at: 3}, 150, 3},
		{"stream cut: the primary moves on, the replica does not", lsnAt{lsn: 300, at: 4}, 150, 3},
		{"still cut", lsnAt{lsn: 400, at: 5}, 150, 3},
		{"replays part of it: staleness dates from the next missing position", lsnAt{lsn: 400, at: 6}, 250, 4},
		{"same primary position again keeps the earlier moment", lsnAt{lsn: 400, at: 7}, 350, 5},
		{"caught up again", lsnAt{lsn: 400, at: 8}, 400, 0},
		{"no primary sample yet: nothing known missing", lsnAt{}, 0, 0},
	}
	for _, s := range steps {
		if got := lt.observe(s.p, s.replay); got != s.want {
			t.Fatalf("%s: observe(%+v, %d) = %d, want %d", s.name, s.p, s.replay, got, s.want)
		}
	}
}

func TestLagTrackerStaysConservativeWhenFull(t *testing.T) {
	t.Parallel()
	var lt lagTracker
	for i := range 3 * maxPendingPositions {
		lt.observe(lsnAt{lsn: uint64(100 + i), at: int64(10 + i)}, 50)
	}
	if len(lt.pending) > maxPendingPositions {
		t.Fatalf("pending grew to %d, bound %d", len(lt.pending), maxPendingPositions)
	}
	if got := lt.observe(lsnAt{lsn: 1000, at: 999}, 50); got != 10 {
		t.Fatalf("when full, staleness dates from %d, want the oldest moment 10", got)
	}
	lt.reset()
	if got := lt.observe(lsnAt{lsn: 1000, at: 999}, 1000); got != 0 {
		t.Fatalf("after reset and catching up: %d, want 0", got)
	}
}

func TestStaleFor(t *testing.T) {
	t.Parallel()
	now := time.Unix(100, 0)
	if got := staleFor(0, now); got != 0 {
		t.Errorf("staleFor(0) = %v, want 0", got)
	}
	if got := staleFor(time.Unix(98, 0).UnixNano(), now); got != 2*time.Second {
		t.Errorf("staleFor(98s) = %v, want 2s", got)
	}
	if got := staleFor(time.Unix(101, 0).UnixNano(), now); got != 0 {
		t.Errorf("staleFor(future) = %v, want 0", got)
	}
}
