package repo

import (
	"reflect"
	"runtime"
	"strconv"
	"testing"
	"time"
)

func TestChunkRowsStayUnderParameterLimit(t *testing.T) {
	t.Parallel()
	for _, cols := range []int{1, 7, 8, 100, 65535, 70000} {
		n := chunkRows(cols)
		if n < 1 || (cols <= maxParams && n*cols > maxParams) {
			t.Fatalf("%d columns: %d rows a chunk", cols, n)
		}
	}
}

type benchRow struct {
	ID     int64     `db:"id" norm:"pk,identity"`
	Email  string    `db:"email"`
	Name   string    `db:"name"`
	Active bool      `db:"active" norm:"default:true"`
	Score  int32     `db:"score"`
	At     time.Time `db:"at"`
}

// BenchmarkBuildBatch builds CreateBatch's statements for n rows without
// sending them (no I/O): the cost per row must not grow with n.
//
//	go test -run '^$' -bench BuildBatch -benchmem .
func BenchmarkBuildBatch(b *testing.B) {
	r, err := New[benchRow](&fakeDB{})
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{1000, 10000, 100000} {
		items := make([]benchRow, n)
		for i := range items {
			items[i] = benchRow{Email: "e", Name: "n", Active: i%2 == 0, Score: int32(i), At: time.Unix(int64(i), 0)}
		}
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				err := r.chunks(items, func(_ int, rows []reflect.Value) error {
					_, _, err := r.insertBuilder(rows).Returning("id", "active").ToSQL()
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/row")
		})
	}
}

// TestInsertBuilderLinear: building a batch statement allocates a bounded
// amount per row. Chaining sqlb's Values once per row copied every earlier
// row each time, so the bytes per row grew with the batch.
func TestInsertBuilderLinear(t *testing.T) {
	r, err := New[benchRow](&fakeDB{})
	if err != nil {
		t.Fatal(err)
	}
	perRow := func(n int) float64 {
		items := make([]benchRow, n)
		rows := make([]reflect.Value, n)
		for i := range items {
			items[i] = benchRow{Email: "e", Name: "n", Score: int32(i)}
			rows[i] = reflect.ValueOf(&items[i]).Elem()
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		b := r.insertBuilder(rows)
		runtime.ReadMemStats(&after)
		if b.Err() != nil {
			t.Fatal(b.Err())
		}
		return float64(after.TotalAlloc-before.TotalAlloc) / float64(n)
	}
	small, large := perRow(500), perRow(5000)
	if large > 2*small {
		t.Fatalf("insertBuilder allocates %.0f B/row for 5,000 rows, %.0f B/row for 500", large, small)
	}
}
