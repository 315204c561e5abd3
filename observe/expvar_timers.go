package observe

import (
	"maps"
	"sync"
	"sync/atomic"
)

// timerSet holds the timers of one Expvar dimension (per statement, per
// endpoint). Every timer lives in all, a sync.Map without bound. A call
// finds its timer first in fast: a plain map read through an atomic
// pointer, without locks and without hashing the key as an interface,
// which is what a sync.Map lookup costs on every call. fast is copied on
// each insert, so it takes the first fastTimers keys only; the others are
// found in all. The zero value is ready to use.
type timerSet struct {
	all  sync.Map // string -> *timer
	fast atomic.Pointer[map[string]*timer]
	mu   sync.Mutex // one insert into fast at a time
}

// fastTimers bounds the keys a timerSet finds without sync.Map.
const fastTimers = 1024

// get returns the timer of key, made on first use.
func (s *timerSet) get(key string) *timer {
	if m := s.fast.Load(); m != nil {
		if t, ok := (*m)[key]; ok {
			return t
		}
	}
	t := timerFor(&s.all, key)
	s.promote(key, t)
	return t
}

// promote adds key to fast while it holds fewer than fastTimers keys.
func (s *timerSet) promote(key string, t *timer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var old map[string]*timer
	if m := s.fast.Load(); m != nil {
		old = *m
	}
	if _, ok := old[key]; ok || len(old) >= fastTimers {
		return
	}
	next := make(map[string]*timer, len(old)+1)
	maps.Copy(next, old)
	next[key] = t
	s.fast.Store(&next)
}
