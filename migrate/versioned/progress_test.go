package versioned

import "testing"

func TestProgressPercent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		p    Progress
		want float64
	}{
		{Progress{BlocksDone: 25, BlocksTotal: 100, TuplesDone: 1, TuplesTotal: 2}, 25},
		{Progress{TuplesDone: 3, TuplesTotal: 4}, 75},
		{Progress{Phase: "waiting for old snapshots"}, -1},
	}
	for _, tt := range tests {
		if got := tt.p.Percent(); got != tt.want {
			t.Errorf("%+v.Percent() = %v, want %v", tt.p, got, tt.want)
		}
	}
}
