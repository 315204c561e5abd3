package e2e

import (
	"slices"
	"time"
)

// Median returns the middle of ds, sorting ds in place; 0 for none.
// Benchmarks that alternate two ways of doing one thing report the ratio
// of the medians: a burst of load on the machine moves a mean, not a
// median.
func Median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[len(ds)/2]
}
