package repo

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestEncodePayloadsStaysUnderTheLimitAndRoundTrips(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("k", 3000)
	tests := []struct {
		name      string
		keys      []string
		payloads  int
		wantFlush bool
	}{
		{"one key", []string{"norm:users:1"}, 1, false},
		{"quotes and newlines escaped", []string{"a\"b", "c\nd", `e\f`}, 1, false},
		{"three long keys need two payloads", []string{long, long + "1", long + "2"}, 2, false},
		{"many short keys batch", manyKeys(2000), 6, false},
		{"a key too long alone flushes", []string{"x", strings.Repeat("y", maxPayload)}, 1, true},
		{"invalid UTF-8 flushes", []string{"ok", "bad\xff"}, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ps := encodePayloads(tt.keys, "")
			if len(ps) != tt.payloads {
				t.Fatalf("payloads = %d, want %d", len(ps), tt.payloads)
			}
			var got []string
			for _, p := range ps {
				if len(p) > maxPayload {
					t.Fatalf("payload of %d bytes, limit %d", len(p), maxPayload)
				}
				keys, _, flush := decodePayload(p)
				if flush != tt.wantFlush {
					t.Fatalf("flush = %v, want %v", flush, tt.wantFlush)
				}
				got = append(got, keys...)
			}
			if !tt.wantFlush && strings.Join(got, "\x00") != strings.Join(tt.keys, "\x00") {
				t.Fatalf("keys after a round trip differ: got %d keys, want %d", len(got), len(tt.keys))
			}
		})
	}
}

func manyKeys(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "norm:users:" + strings.Repeat("9", 5) + string(rune('a'+i%26))
	}
	return out
}

func TestDecodePayloadFlushesOnWhatItCannotRead(t *testing.T) {
	t.Parallel()
	for _, p := range []string{"", "*", "v2:whatever", "[1,2]", "[\"unterminated", "@nocolon", "@x:*"} {
		if _, _, flush := decodePayload(p); !flush {
			t.Errorf("decodePayload(%q) did not ask for a flush", p)
		}
	}
}

// plainCache is a Cache without Flush.
type plainCache struct{ m map[string]any }

func (p *plainCache) Get(_ context.Context, k string) (any, bool) { v, ok := p.m[k]; return v, ok }
func (p *plainCache) Set(_ context.Context, k string, v any, _ time.Duration) {
	p.m[k] = v
}
func (p *plainCache) Delete(_ context.Context, keys ...string) {
	for _, k := range keys {
		delete(p.m, k)
	}
}

func TestGuardServesOnlyWhileListeningAndForgetsOnReconnect(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, inner := range []Cache{NewLRU(10, time.Minute, nil), &plainCache{m: map[string]any{}}} {
		l := &Listener{ready: make(chan struct{})}
		g := l.Guard(inner).(*guardedCache)
		g.Set(ctx, "k", 1, 0)
		if _, ok := g.Get(ctx, "k"); ok {
			t.Fatalf("%T: served while the listener was down", inner)
		}
		l.flush(ctx)
		l.setUp(true)
		g.Set(ctx, "k", 1, 0)
		if v, ok := g.Get(ctx, "k"); !ok || v != 1 {
			t.Fatalf("%T: got %v, %v while up", inner, v, ok)
		}
		gen := g.gen.current()
		l.apply(ctx, `["k"]`)
		if _, ok := g.Get(ctx, "k"); ok {
			t.Fatalf("%T: key still served after its notification", inner)
		}
		if g.gen.current() == gen {
			t.Fatalf("%T: eviction did not move the generation, a racing fill would land", inner)
		}
		g.Set(ctx, "k", 2, 0)
		l.setUp(false)
		if _, ok := g.Get(ctx, "k"); ok {
			t.Fatalf("%T: served after the listener went down", inner)
		}
		l.flush(ctx)
		l.setUp(true)
		if v, ok := g.Get(ctx, "k"); ok {
			t.Fatalf("%T: entry from before the reconnect served: %v", inner, v)
		}
	}
}

func TestRepositoryWithGuardSharesGenerationAndPublishes(t *testing.T) {
	t.Parallel()
	l := &Listener{cfg: ListenerConfig{Channel: "chan_x"}, ready: make(chan struct{})}
	c := l.Guard(NewLRU(10, time.Minute, nil))
	a, err := New[cachedUser](&fakeDB{}, WithCache(c, time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	b, err := New[cachedUser](&fakeDB{}, WithCache(c, time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if a.cfg.gen != b.cfg.gen || a.cfg.gen != c.(*guardedCache).gen {
		t.Fatal("repositories over one guarded cache do not share its generation")
	}
	if a.cfg.notify != "chan_x" {
		t.Fatalf("publishes on %q, want the listener's channel", a.cfg.notify)
	}
	if _, err := New[cachedUser](&fakeDB{}, WithNotify(strings.Repeat("c", 64))); err == nil {
		t.Fatal("a 64-byte channel name was accepted")
	}
}

func TestNotifyWrapsAWriteOutsideATransaction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name   string
		affect int64
		want   []string
		cached bool // the cached entry survives
	}{
		{"committed write publishes inside its transaction", 1,
			[]string{"BEGIN", "UPDATE", notifySQL, "COMMIT"}, false},
		{"failed write publishes nothing and keeps the cache", 0,
			[]string{"BEGIN", "UPDATE", "ROLLBACK"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := &fakeDB{affect: tt.affect}
			lru := NewLRU(10, time.Minute, nil)
			r, err := New[cachedUser](fakeBeginner{db}, WithCache(lru, time.Minute), WithNotify(""))
			if err != nil {
				t.Fatal(err)
			}
			lru.Set(ctx, "norm:cached_users:7", cachedUser{ID: 7, Name: "old"}, 0)
			_ = r.Update(ctx, &cachedUser{ID: 7, Name: "new"})
			got := db.sqls()
			if len(got) != len(tt.want) {
				t.Fatalf("statements %q, want %q", got, tt.want)
			}
			for i, w := range tt.want {
				if !strings.HasPrefix(got[i], w) {
					t.Fatalf("statement %d = %q, want %q…", i, got[i], w)
				}
			}
			if tt.affect == 1 {
				args := db.args[2]
				if args[0] != DefaultChannel {
					t.Fatalf("channel %v", args[0])
				}
				if ps := args[1].([]string); len(ps) != 1 || ps[0] != `["norm:cached_users:7"]` {
					t.Fatalf("payloads %q", ps)
				}
			}
			if _, ok := lru.Get(ctx, "norm:cached_users:7"); ok != tt.cached {
				t.Fatalf("cached entry present = %v, want %v", ok, tt.cached)
			}
		})
	}
}

func TestListenerSkipsOnlyTheWritingCache(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := &Listener{ready: make(chan struct{})}
	mine, other := l.Guard(NewLRU(10, time.Minute, nil)), l.Guard(NewLRU(10, time.Minute, nil))
	l.setUp(true)
	mine.Set(ctx, "k", 1, 0)
	other.Set(ctx, "k", 1, 0)
	ps := encodePayloads([]string{"k"}, mine.(*guardedCache).id)
	if len(ps) != 1 || !strings.HasPrefix(ps[0], "@") {
		t.Fatalf("payloads %q", ps)
	}
	l.apply(ctx, ps[0])
	if _, ok := mine.Get(ctx, "k"); !ok {
		t.Fatal("the writing cache was evicted by its own notification")
	}
	if _, ok := other.Get(ctx, "k"); ok {
		t.Fatal("another cache of the same process was not evicted")
	}
}
