package pool

import (
	"math"
	"testing"
	"time"
)

// TestBackoffCeilingEdges checks the documented min(max, base·2^(retry-1))
// where integer arithmetic could bend it: an odd MaxDelay (half of it is
// rounded down), a MaxDelay as large as a Duration gets (doubling it
// would overflow), and a ceiling that reaches MaxDelay exactly.
func TestBackoffCeilingEdges(t *testing.T) {
	t.Parallel()
	ns := time.Nanosecond
	tests := []struct {
		retry     int
		base, max time.Duration
		want      time.Duration
	}{
		{2, 500 * ns, 1001 * ns, 1000 * ns}, // 2·500 < 1001
		{3, 500 * ns, 1001 * ns, 1001 * ns},
		{2, 500 * ns, 1000 * ns, 1000 * ns}, // reaches max exactly
		{3, 500 * ns, 1000 * ns, 1000 * ns},
		{2, ns, math.MaxInt64, 2 * ns},
		{40, ns, math.MaxInt64, 1 << 39 * ns},
		{100, ns, math.MaxInt64, math.MaxInt64}, // 2^99 ns is past any Duration
	}
	for _, tt := range tests {
		if got := backoffCeiling(tt.retry, tt.base, tt.max); got != tt.want {
			t.Errorf("backoffCeiling(%d, %d, %d) = %d, want %d", tt.retry, tt.base, tt.max, got, tt.want)
		}
	}
}
