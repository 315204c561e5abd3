package progress

import "testing"

func TestPercent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		blocksDone, blocksTotal, tuplesDone, tuplesTotal int64
		want                                             float64
	}{
		{25, 100, 1, 2, 25}, // blocks win when counted
		{0, 0, 3, 4, 75},
		{0, 0, 0, 0, -1}, // no total: unknown, not 0 %
		{5, 0, 0, 0, -1},
	}
	for _, tt := range tests {
		if got := Percent(tt.blocksDone, tt.blocksTotal, tt.tuplesDone, tt.tuplesTotal); got != tt.want {
			t.Errorf("Percent(%d, %d, %d, %d) = %v, want %v", tt.blocksDone, tt.blocksTotal, tt.tuplesDone, tt.tuplesTotal, got, tt.want)
		}
	}
}
