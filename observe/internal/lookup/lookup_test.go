package lookup

import (
	"fmt"
	"sync"
	"testing"
)

func TestMapBounded(t *testing.T) {
	t.Parallel()
	builds := 0
	build := func(v string) func() *string {
		return func() *string { builds++; return &v }
	}
	c := New[string, *string](2)
	first := c.LoadOrAdd("a", build("a"))
	if again := c.LoadOrAdd("a", build("other")); again != first || builds != 1 {
		t.Fatalf("cached value not reused: %p vs %p, %d builds", again, first, builds)
	}
	c.LoadOrAdd("b", build("b"))
	c.LoadOrAdd("c", build("c"))
	if c.Len() != 2 {
		t.Errorf("Len = %d, want 2 (its bound)", c.Len())
	}
	if _, ok := c.Load("c"); ok {
		t.Error("an entry beyond the bound was cached")
	}
	if v, ok := c.Load("b"); !ok || *v != "b" {
		t.Errorf(`Load("b") = %v, %v`, v, ok)
	}
}

func TestMapWithoutRoomCachesNothing(t *testing.T) {
	t.Parallel()
	for _, size := range []int{0, -1} {
		c := New[int, *int](size)
		n := 7
		a := c.LoadOrAdd(1, func() *int { return &n })
		b := c.LoadOrAdd(1, func() *int { m := 7; return &m })
		if a == b || c.Len() != 0 {
			t.Errorf("size %d: cached (%p, %p, Len %d)", size, a, b, c.Len())
		}
	}
}

// TestMapConcurrent: racing first lookups of one key all get the value
// cached first, and no insert is lost (run with -race).
func TestMapConcurrent(t *testing.T) {
	t.Parallel()
	c := New[string, *int](64)
	const keys = 32
	got := make([][]*int, 4)
	var wg sync.WaitGroup
	for g := range got {
		wg.Go(func() {
			for i := range keys {
				got[g] = append(got[g], c.LoadOrAdd(fmt.Sprint(i), func() *int { v := i; return &v }))
			}
		})
	}
	wg.Wait()
	for g := 1; g < len(got); g++ {
		for i := range keys {
			if got[g][i] != got[0][i] {
				t.Fatalf("goroutine %d got its own value for key %d", g, i)
			}
		}
	}
	if c.Len() != keys {
		t.Errorf("Len = %d, want %d", c.Len(), keys)
	}
}
