// Package lookup holds the bounded, read-mostly maps observe's observers
// consult on every traced call (normalised statements, span options).
package lookup

import (
	"maps"
	"sync"
	"sync/atomic"
)

// Map is a bounded cache read far more often than written. Reads load a
// plain map through an atomic pointer, without locks; an insert copies the
// map under a mutex. Inserts happen once per key, and a lookup in a plain
// map touches fewer cache lines than one in a sync.Map, which is what a
// lookup costs on the call path, where the caches went cold while the
// call waited for the server.
//
// The zero value is not usable; see New.
type Map[K comparable, V any] struct {
	m   atomic.Pointer[map[K]V]
	mu  sync.Mutex // one insert at a time
	max int
}

// New returns an empty Map holding at most size entries. With size zero or
// less it caches nothing: LoadOrAdd makes a new value on every call.
func New[K comparable, V any](size int) *Map[K, V] {
	return &Map[K, V]{max: size}
}

// Load returns the value cached under k.
func (c *Map[K, V]) Load(k K) (V, bool) {
	if m := c.m.Load(); m != nil {
		v, ok := (*m)[k]
		return v, ok
	}
	var zero V
	return zero, false
}

// LoadOrAdd returns the value cached under k, or else the one build
// returns, which it caches while the map holds fewer than size entries.
// build runs outside the lock and may run more than once for one key when
// calls race; every caller then gets the value cached first.
func (c *Map[K, V]) LoadOrAdd(k K, build func() V) V {
	if v, ok := c.Load(k); ok {
		return v
	}
	v := build()
	if c.max <= 0 {
		return v
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var old map[K]V
	if m := c.m.Load(); m != nil {
		old = *m
	}
	if cached, ok := old[k]; ok {
		return cached
	}
	if len(old) >= c.max {
		return v
	}
	next := make(map[K]V, len(old)+1)
	maps.Copy(next, old)
	next[k] = v
	c.m.Store(&next)
	return v
}

// Len returns the number of cached entries.
func (c *Map[K, V]) Len() int {
	if m := c.m.Load(); m != nil {
		return len(*m)
	}
	return 0
}
