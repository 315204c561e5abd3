package repo

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Cache stores entities read by FindByID. Values are copies of T (a
// struct value, not a pointer); implementations must be safe for
// concurrent use. NewLRU gives an in-memory one.
type Cache interface {
	// Get returns the value stored under key, if present and not expired.
	Get(ctx context.Context, key string) (any, bool)
	// Set stores value under key for ttl (ttl <= 0: the cache's default).
	Set(ctx context.Context, key string, value any, ttl time.Duration)
	// Delete removes keys; missing keys are ignored.
	Delete(ctx context.Context, keys ...string)
}

// WithCache makes FindByID read through c for ttl (0: five minutes; a nil
// c or a negative ttl makes New fail).
// Writes through the repository invalidate the entity's key (and the keys
// of WithInvalidateKeys): after the outermost commit when the Querier has
// the AfterCommit ability and ctx carries a transaction, at once
// otherwise. Reads inside a transaction neither read nor fill the cache.
// A read that raced with an invalidation does not fill the cache, and a
// cache miss reads from the primary when the Querier can route there
// (PrimaryRouter, as pool.DB can), never from a replica that may not have
// replayed the last write; so a committed write is never followed by a
// stale read from this repository (and its WithTx/WithTrashed copies).
// Writes from other processes or other Repository values are seen after
// ttl, unless c comes from Listener.Guard: then every process hears of
// every write when it commits (see Listen).
func WithCache(c Cache, ttl time.Duration) Option {
	return func(cfg *config) {
		switch {
		case c == nil:
			cfg.refuse("WithCache(nil)", "no cache: omit the option to read without one")
		case ttl < 0:
			cfg.refuse("WithCache", "negative TTL "+ttl.String())
		default:
			cfg.cache = c
			if ttl > 0 {
				cfg.cacheTTL = ttl
			}
		}
	}
}

// WithCachePrefix sets the prefix of cache keys (default
// "norm:<table>:"); a key is the prefix followed by the primary key values
// joined by ":". An empty prefix makes New fail.
func WithCachePrefix(prefix string) Option {
	return func(cfg *config) {
		if prefix == "" {
			cfg.refuse(`WithCachePrefix("")`, "empty prefix: omit the option for the default")
			return
		}
		cfg.cachePfx = prefix
	}
}

// WithInvalidateKeys adds keys to delete from the cache whenever the
// entity with primary key key is written (for example a cached list or a
// lookup by email). A nil fn makes New fail.
func WithInvalidateKeys(fn func(key Key) []string) Option {
	return func(cfg *config) {
		if fn == nil {
			cfg.refuse("WithInvalidateKeys(nil)", "no function")
			return
		}
		cfg.extraKeys = fn
	}
}

// PrimaryRouter is the optional ability of a Querier (pool.DB has it) to
// send the reads of a ctx to the primary, where every committed write is
// visible. A cache miss reads through it: a row read from a replica that
// has not replayed the last write would otherwise be cached, and served,
// for the whole TTL. A Querier without it reads one server (a pgx
// connection or pool), which sees what was committed.
type PrimaryRouter interface {
	UsePrimary(ctx context.Context) context.Context
}

// generation orders cache fills against invalidations: a fill is dropped
// when an invalidation happened since the read that produced it began.
type generation struct {
	mu sync.Mutex
	n  uint64
}

func (g *generation) current() uint64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.n
}

// CacheKey returns the cache key of the entity with primary key key (a
// plain value or a Key), as FindByID uses it.
func (r *Repository[T]) CacheKey(key any) (string, error) {
	if err := r.usable("CacheKey"); err != nil {
		return "", err
	}
	k, err := r.mt.keyArgs("CacheKey", key)
	if err != nil {
		return "", err
	}
	return r.cacheKey(k), nil
}

func (r *Repository[T]) cacheKey(key []any) string {
	if len(key) == 1 {
		return r.cfg.cachePfx + fmt.Sprint(key[0])
	}
	parts := make([]string, len(key))
	for i, v := range key {
		parts[i] = fmt.Sprint(v)
	}
	return r.cfg.cachePfx + strings.Join(parts, ":")
}

func (r *Repository[T]) cachedFind(ctx context.Context, key []any) (*T, error) {
	ck := r.cacheKey(key)
	if r.trash == liveOnly {
		if v, ok := r.cfg.cache.Get(ctx, ck); ok {
			if t, ok := v.(T); ok {
				return &t, nil
			}
		}
	}
	gen := r.cfg.gen.current()
	fill := ctx
	if r.can.primary != nil {
		fill = r.can.primary.UsePrimary(ctx)
	}
	v, err := r.findByKey(fill, key)
	if err != nil || r.trash != liveOnly {
		return v, err
	}
	g := r.cfg.gen
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.n == gen {
		r.cfg.cache.Set(ctx, ck, *v, r.cfg.cacheTTL)
	}
	return v, nil
}

// invalidate deletes the cache keys of the entities with the given
// primary keys, after the outermost commit when that is knowable.
func (r *Repository[T]) invalidate(ctx context.Context, keys ...[]any) {
	if !r.cfg.invalidates() || len(keys) == 0 {
		return
	}
	var cks []string
	for _, k := range keys {
		cks = append(cks, r.cacheKey(k))
		if r.cfg.extraKeys != nil {
			cks = append(cks, r.cfg.extraKeys(Key(k))...)
		}
	}
	r.publish(ctx, cks)
	if r.cfg.cache == nil {
		return
	}
	del := func() {
		g := r.cfg.gen
		g.mu.Lock()
		defer g.mu.Unlock()
		g.n++
		r.cfg.cache.Delete(context.WithoutCancel(ctx), cks...)
	}
	// Without an AfterCommit ability (a bare pgx.Tx cannot tell its
	// commit) this runs now.
	r.afterCommit(ctx, del)
}
