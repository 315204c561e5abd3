package repo

import (
	"context"
	"testing"
	"time"
)

func TestLRU(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	c := NewLRU(2, time.Minute, clock)
	c.Set(ctx, "a", 1, 0)
	c.Set(ctx, "b", 2, 10*time.Second)
	if v, ok := c.Get(ctx, "a"); !ok || v != 1 {
		t.Fatalf("get a: %v %v", v, ok)
	}
	c.Set(ctx, "c", 3, 0) // evicts b, the least recently used
	if _, ok := c.Get(ctx, "b"); ok {
		t.Fatal("b not evicted")
	}
	now = now.Add(59 * time.Second)
	if _, ok := c.Get(ctx, "a"); !ok {
		t.Fatal("a expired early")
	}
	now = now.Add(time.Second)
	if _, ok := c.Get(ctx, "a"); ok {
		t.Fatal("a not expired at its TTL")
	}
	if c.Len() != 1 {
		t.Fatalf("expired entry not removed: %d", c.Len())
	}
	c.Set(ctx, "c", 4, 0)
	if v, _ := c.Get(ctx, "c"); v != 4 {
		t.Fatalf("overwrite: %v", v)
	}
	c.Delete(ctx, "c", "missing")
	if c.Len() != 0 {
		t.Fatalf("delete: %d", c.Len())
	}
}
