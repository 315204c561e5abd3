package repo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"sync/atomic"
	"time"
)

// Flusher is the optional ability of a Cache to drop every entry it holds
// (LRU has it). A cache guarded by a Listener is flushed each time the
// listener (re)connects, since notifications may have been missed; a
// Cache without it is emptied instead by moving to a new key space
// (entries of the old one are never read again and age out by TTL).
type Flusher interface {
	Flush(ctx context.Context)
}

// Guard returns c guarded by l, to pass to WithCache (as it is: wrapping
// the result hides what New looks for). The guarded cache evicts the keys
// of every notification l receives; serves only while l is LISTENing
// (otherwise Get misses and Set is dropped); and is flushed whenever l
// (re)connects. Repositories given it publish their invalidations on l's
// channel (WithNotify is implied) and share one generation counter, so a
// read that raced with a remote invalidation does not fill the cache
// either. c may be any Cache; several guarded caches may share l.
func (l *Listener) Guard(c Cache) Cache {
	g := &guardedCache{inner: c, l: l, gen: &generation{}, id: newCacheID()}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.caches = append(l.caches, g)
	return g
}

// guardedCache is a Cache that a Listener keeps correct across processes.
type guardedCache struct {
	inner Cache
	l     *Listener
	gen   *generation   // shared by every repository that uses this cache
	epoch atomic.Uint64 // key space, for an inner cache without Flush
	id    string        // names this cache in the notifications of its own writes
}

// newCacheID returns a random name for a guarded cache, unique across
// processes.
func newCacheID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}

func (g *guardedCache) key(k string) string {
	if e := g.epoch.Load(); e > 0 {
		return strconv.FormatUint(e, 10) + "|" + k
	}
	return k
}

// Get misses while the listener is not LISTENing.
func (g *guardedCache) Get(ctx context.Context, key string) (any, bool) {
	if !g.l.up.Load() {
		return nil, false
	}
	return g.inner.Get(ctx, g.key(key))
}

// Set is dropped while the listener is not LISTENing.
func (g *guardedCache) Set(ctx context.Context, key string, value any, ttl time.Duration) {
	if !g.l.up.Load() {
		return
	}
	g.inner.Set(ctx, g.key(key), value, ttl)
}

// Delete always goes through.
func (g *guardedCache) Delete(ctx context.Context, keys ...string) {
	if g.epoch.Load() > 0 {
		mapped := make([]string, len(keys))
		for i, k := range keys {
			mapped[i] = g.key(k)
		}
		keys = mapped
	}
	g.inner.Delete(ctx, keys...)
}

// evict deletes keys for a remote write, voiding fills in flight.
func (g *guardedCache) evict(ctx context.Context, keys []string) {
	g.gen.mu.Lock()
	defer g.gen.mu.Unlock()
	g.gen.n++
	g.Delete(ctx, keys...)
}

// flush empties the cache, voiding fills in flight.
func (g *guardedCache) flush(ctx context.Context) {
	g.gen.mu.Lock()
	defer g.gen.mu.Unlock()
	g.gen.n++
	if f, ok := g.inner.(Flusher); ok {
		f.Flush(ctx)
		return
	}
	g.epoch.Add(1)
}

// invalidates reports whether writes have anything to invalidate: a cache
// of their own or a channel to publish on.
func (c *config) invalidates() bool { return c.cache != nil || c.notify != "" }

// useGuard makes a repository whose cache is guarded by a Listener share
// the cache's generation and publish on the listener's channel, and
// validates the channel.
func (c *config) useGuard() error {
	if g, ok := c.cache.(*guardedCache); ok {
		c.gen = g.gen
		if c.notify == "" {
			c.notify = g.l.cfg.Channel
		}
	}
	if c.notify != "" {
		return checkChannel(c.notify)
	}
	return nil
}
