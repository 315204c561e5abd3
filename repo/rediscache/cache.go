package rediscache

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// tombstone is the value Delete leaves: encoded values are never empty.
var tombstone = []byte{}

// Options configures a Client. Zero fields take the defaults given on each.
type Options struct {
	// Namespace prefixes every key in Redis (default "normcache:"), so the
	// cache can share a Redis with other data and Flush removes only its
	// own entries.
	Namespace string
	// TTL is the expiry of a Set whose ttl is <= 0 (default five minutes).
	TTL time.Duration
	// Timeout bounds each call to Redis (default 100ms): a slow Redis turns
	// into misses instead of slow reads.
	Timeout time.Duration
	// DeleteHold is how long a deleted key refuses fills (default one
	// second): Delete leaves a tombstone that Get reads as a miss and that
	// Set (SET NX) cannot replace. Another instance may be filling the row
	// it read just before the delete's commit; the tombstone stops that
	// fill from landing after the delete, for any read shorter than
	// DeleteHold. Reads of a key just written go to the database for that
	// long.
	DeleteHold time.Duration
	// OnError, when set, is told every Redis error and every entry that
	// could not be encoded or decoded, with the operation ("get", "set",
	// "delete", "flush", "encode", "decode"); the call itself degrades to
	// a miss or a no-op. It may be called concurrently.
	OnError func(op string, err error)
}

// Client holds the Redis client and the options shared by the typed caches
// of For.
type Client struct {
	rdb  redis.UniversalClient
	opts Options

	hits, misses, errs atomic.Int64
}

// New returns a Client over rdb (a *redis.Client, *redis.ClusterClient or
// any redis.UniversalClient).
func New(rdb redis.UniversalClient, opts Options) *Client {
	if opts.Namespace == "" {
		opts.Namespace = "normcache:"
	}
	if opts.TTL <= 0 {
		opts.TTL = 5 * time.Minute
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 100 * time.Millisecond
	}
	if opts.DeleteHold <= 0 {
		opts.DeleteHold = time.Second
	}
	return &Client{rdb: rdb, opts: opts}
}

// Stats are counters since New: Hits and Misses of Get (an error counts as
// a miss too), and Errors of every kind.
type Stats struct {
	Hits, Misses, Errors int64
}

// Stats returns the counters.
func (c *Client) Stats() Stats {
	return Stats{Hits: c.hits.Load(), Misses: c.misses.Load(), Errors: c.errs.Load()}
}

func (c *Client) fail(op string, err error) {
	c.errs.Add(1)
	if c.opts.OnError != nil {
		c.opts.OnError(op, err)
	}
}

// Cache is a repo.Cache of values of type T (as repo stores them: T, not
// *T) on a Client.
type Cache[T any] struct {
	c     *Client
	codec *codec
}

// For returns the cache of T on c; it fails when T has no sqlb model (the
// same error repo.New[T] would give).
func For[T any](c *Client) (*Cache[T], error) {
	if c == nil {
		return nil, errors.New("rediscache: For: nil Client")
	}
	cd, err := codecOf[T]()
	if err != nil {
		return nil, err
	}
	return &Cache[T]{c: c, codec: cd}, nil
}

func (x *Cache[T]) ctx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), x.c.opts.Timeout)
}

// Get returns the T stored under key. A missing key, a Redis error or an
// entry that does not decode (another version of T) is a miss.
func (x *Cache[T]) Get(ctx context.Context, key string) (any, bool) {
	ctx, cancel := x.ctx(ctx)
	defer cancel()
	b, err := x.c.rdb.Get(ctx, x.c.opts.Namespace+key).Bytes()
	if err != nil {
		x.c.misses.Add(1)
		if !errors.Is(err, redis.Nil) {
			x.c.fail("get", err)
		}
		return nil, false
	}
	if len(b) == 0 { // a tombstone: the key was just deleted
		x.c.misses.Add(1)
		return nil, false
	}
	var v T
	if err := x.codec.decode(b, &v); err != nil {
		x.c.misses.Add(1)
		if !errors.Is(err, errOtherVersion) {
			x.c.fail("decode", fmt.Errorf("%s: %w", key, err))
		}
		return nil, false
	}
	x.c.hits.Add(1)
	return v, true
}

// Set stores value (a T or *T) under key for ttl (<= 0: Options.TTL),
// unless the key holds a value or a tombstone already (SET NX): a fill
// never replaces what another instance stored or deleted since.
func (x *Cache[T]) Set(ctx context.Context, key string, value any, ttl time.Duration) {
	var v *T
	switch t := value.(type) {
	case *T:
		v = t
	case T:
		v = &t
	}
	if v == nil {
		x.c.fail("encode", fmt.Errorf("%s: value of type %T, want %T", key, value, *new(T)))
		return
	}
	b, err := x.codec.encode(v)
	if err != nil {
		x.c.fail("encode", fmt.Errorf("%s: %w", key, err))
		return
	}
	if ttl <= 0 {
		ttl = x.c.opts.TTL
	}
	ctx, cancel := x.ctx(ctx)
	defer cancel()
	if err := x.c.rdb.SetNX(ctx, x.c.opts.Namespace+key, b, ttl).Err(); err != nil {
		x.c.fail("set", err)
	}
}

// Delete replaces the values of keys with tombstones that expire after
// Options.DeleteHold, in one pipelined round trip (one SET per key, so
// the keys may live in different cluster slots).
func (x *Cache[T]) Delete(ctx context.Context, keys ...string) {
	if len(keys) == 0 {
		return
	}
	ctx, cancel := x.ctx(ctx)
	defer cancel()
	if _, err := x.c.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, k := range keys {
			p.Set(ctx, x.c.opts.Namespace+k, tombstone, x.c.opts.DeleteHold)
		}
		return nil
	}); err != nil {
		x.c.fail("delete", err)
	}
}

// Flush removes every entry of the Client's namespace (every type, since
// repo's Listener flushes all its caches at once): SCAN and UNLINK in
// batches, each batch within Options.Timeout.
func (x *Cache[T]) Flush(ctx context.Context) {
	x.c.Flush(ctx)
}

// Flush removes every entry of the namespace; see Cache.Flush. On a
// cluster it scans every master.
func (c *Client) Flush(ctx context.Context) {
	var err error
	if cc, ok := c.rdb.(*redis.ClusterClient); ok {
		err = cc.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
			return c.flushNode(ctx, node)
		})
	} else {
		err = c.flushNode(ctx, c.rdb)
	}
	if err != nil {
		c.fail("flush", err)
	}
}

// flushNode SCANs one node and UNLINKs each batch in a pipeline (one key
// per command, whatever slot it hashes to).
func (c *Client) flushNode(ctx context.Context, node redis.Cmdable) error {
	match := globEscape(c.opts.Namespace) + "*"
	var cursor uint64
	for {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.opts.Timeout)
		keys, next, err := node.Scan(sctx, cursor, match, 1000).Result()
		if err == nil && len(keys) > 0 {
			_, err = node.Pipelined(sctx, func(p redis.Pipeliner) error {
				for _, k := range keys {
					p.Unlink(sctx, k)
				}
				return nil
			})
		}
		cancel()
		if err != nil {
			return err
		}
		if cursor = next; cursor == 0 {
			return nil
		}
	}
}

// globEscape escapes the glob characters of SCAN's MATCH.
func globEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`, `]`, `\]`)
	return r.Replace(s)
}
