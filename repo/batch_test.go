package repo

import (
	"testing"
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
