package sqlb

import (
	"reflect"
	"runtime"
	"sync"
	"testing"
)

// bytesPerRow is the memory allocated per row by build(n), measured on
// n rows.
func bytesPerRow(n int, build func(n int)) float64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	build(n)
	runtime.ReadMemStats(&after)
	return float64(after.TotalAlloc-before.TotalAlloc) / float64(n)
}

// TestInsertValuesLinear checks that a multi-row insert built one Values
// call at a time allocates a bounded amount per row: copying every earlier
// row on each call (the old appendCow) made the cost per row grow with
// the row count, 8 times over from 500 to 4,000 rows.
func TestInsertValuesLinear(t *testing.T) {
	build := func(n int) {
		b := Insert("t").Columns("a", "b")
		for i := 0; i < n; i++ {
			b = b.Values(i, "x")
		}
		if b.Err() != nil || len(b.rows) != n {
			t.Fatalf("built %d rows, err %v", len(b.rows), b.Err())
		}
	}
	small, large := bytesPerRow(500, build), bytesPerRow(4000, build)
	if large > 2*small {
		t.Fatalf("Values allocates %.0f B/row for 4000 rows, %.0f B/row for 500: cost per row grows with the row count", large, small)
	}
}

func render3(t *testing.T, b InsertBuilder) string {
	t.Helper()
	s, _, err := b.ToSQL()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestInsertValuesSiblings checks value semantics: a builder derived from
// another never sees rows appended to a sibling, whichever is extended
// first, and builders extended from one base on many goroutines stay
// independent (run with -race).
func TestInsertValuesSiblings(t *testing.T) {
	t.Parallel()
	base := Insert("t").Columns("a").Values(1)
	left := base.Values(2)
	right := base.Values(3)
	leftMore := left.Values(4)
	leftOther := left.Values(5)
	for _, c := range []struct {
		b    InsertBuilder
		want string
	}{
		{base, `INSERT INTO "t" ("a") VALUES ($1)`},
		{left, `INSERT INTO "t" ("a") VALUES ($1), ($2)`},
		{right, `INSERT INTO "t" ("a") VALUES ($1), ($2)`},
		{leftMore, `INSERT INTO "t" ("a") VALUES ($1), ($2), ($3)`},
		{leftOther, `INSERT INTO "t" ("a") VALUES ($1), ($2), ($3)`},
	} {
		if got := render3(t, c.b); got != c.want {
			t.Fatalf("got %s, want %s", got, c.want)
		}
	}
	args := func(b InsertBuilder) []any { _, a, _ := b.ToSQL(); return a }
	if got := args(right); !reflect.DeepEqual(got, []any{1, 3}) {
		t.Fatalf("right sees %v", got)
	}
	if got := args(left); !reflect.DeepEqual(got, []any{1, 2}) {
		t.Fatalf("left sees %v", got)
	}
	if got := args(leftMore); !reflect.DeepEqual(got, []any{1, 2, 4}) {
		t.Fatalf("leftMore sees %v", got)
	}
	if got := args(leftOther); !reflect.DeepEqual(got, []any{1, 2, 5}) {
		t.Fatalf("leftOther sees %v", got)
	}

	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			b := base
			for i := 0; i < 50; i++ {
				b = b.Values(g*100 + i)
			}
			got := args(b)
			if len(got) != 51 || got[0] != 1 || got[1] != g*100 || got[50] != g*100+49 {
				t.Errorf("goroutine %d sees %v", g, got)
			}
		}(g)
	}
	wg.Wait()
}
