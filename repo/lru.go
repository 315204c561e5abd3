package repo

import (
	"container/list"
	"context"
	"sync"
	"time"
)

// LRU is an in-memory Cache with a size bound (least recently used entries
// go first) and per-entry expiry. It suits a single instance and tests.
type LRU struct {
	mu    sync.Mutex
	max   int
	ttl   time.Duration
	now   func() time.Time
	ll    *list.List
	items map[string]*list.Element
}

type lruEntry struct {
	key     string
	value   any
	expires time.Time
}

// NewLRU returns an LRU holding at most maxEntries (<= 0: 10,000) entries,
// each kept for ttl unless Set gives another (ttl <= 0: five minutes).
// now is the clock (nil: time.Now); tests pass a fake one.
func NewLRU(maxEntries int, ttl time.Duration, now func() time.Time) *LRU {
	if maxEntries <= 0 {
		maxEntries = 10000
	}
	if ttl <= 0 {
		ttl = 5 * time.Minute
	}
	if now == nil {
		now = time.Now
	}
	return &LRU{max: maxEntries, ttl: ttl, now: now, ll: list.New(), items: map[string]*list.Element{}}
}

// Get returns the value under key unless it is missing or expired (an
// expired entry is removed), and marks it recently used.
func (c *LRU) Get(_ context.Context, key string) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		return nil, false
	}
	e := el.Value.(*lruEntry)
	if !c.now().Before(e.expires) {
		c.removeElement(el)
		return nil, false
	}
	c.ll.MoveToFront(el)
	return e.value, true
}

// Set stores value under key for ttl (<= 0: the LRU's default), evicting
// the least recently used entry when full.
func (c *LRU) Set(_ context.Context, key string, value any, ttl time.Duration) {
	if ttl <= 0 {
		ttl = c.ttl
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	exp := c.now().Add(ttl)
	if el, ok := c.items[key]; ok {
		e := el.Value.(*lruEntry)
		e.value, e.expires = value, exp
		c.ll.MoveToFront(el)
		return
	}
	c.items[key] = c.ll.PushFront(&lruEntry{key: key, value: value, expires: exp})
	for c.ll.Len() > c.max {
		c.removeElement(c.ll.Back())
	}
}

// Delete removes keys.
func (c *LRU) Delete(_ context.Context, keys ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range keys {
		if el, ok := c.items[k]; ok {
			c.removeElement(el)
		}
	}
}

// Len returns the number of entries, expired ones included.
func (c *LRU) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ll.Len()
}

func (c *LRU) removeElement(el *list.Element) {
	c.ll.Remove(el)
	delete(c.items, el.Value.(*lruEntry).key)
}

// Flush removes every entry (see Flusher).
func (c *LRU) Flush(context.Context) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ll.Init()
	clear(c.items)
}
