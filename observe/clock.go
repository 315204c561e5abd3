package observe

import (
	"sync/atomic"
	"time"
)

// monoClock tells the time from the monotonic clock and a base reading of
// the wall clock. time.Now reads both clocks; this reads one, which halves
// the cost of timing a call, and the tracer reads the time twice per call.
//
// The wall time it returns is the base's plus the monotonic time elapsed
// since; the two clocks advance at the same rate (NTP slews both), so it
// differs from time.Now only after the wall clock is stepped, and for at
// most resync: the base is read again when it is that old.
type monoClock struct {
	base atomic.Pointer[time.Time]
}

// resync bounds how long a step of the wall clock goes unnoticed.
const resync = time.Minute

func newMonoClock() *monoClock {
	c := &monoClock{}
	now := time.Now()
	c.base.Store(&now)
	return c
}

// Now returns the current time, with a monotonic reading.
func (c *monoClock) Now() time.Time {
	base := c.base.Load()
	d := time.Since(*base)
	if d < resync {
		return base.Add(d)
	}
	now := time.Now()
	c.base.Store(&now)
	return now
}
