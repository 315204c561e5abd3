package versioned

import (
	"context"
	"time"

	"github.com/normkit/norm/migrate/internal/progress"
)

// Progress is one sample of an index build that a no-transaction file
// is running (CREATE INDEX [CONCURRENTLY], REINDEX), as PostgreSQL reports
// it in pg_stat_progress_create_index. Totals are 0 while the server does
// not know them yet (some phases count blocks, others tuples).
type Progress struct {
	Version int64  `json:"version"`
	Source  string `json:"source"`
	// Command is the server's name of what runs: "CREATE INDEX
	// CONCURRENTLY", "CREATE INDEX", "REINDEX CONCURRENTLY", …
	Command string `json:"command"`
	// Phase is the build's phase, e.g. "building index: scanning table",
	// "waiting for old snapshots".
	Phase       string        `json:"phase"`
	BlocksDone  int64         `json:"blocks_done"`
	BlocksTotal int64         `json:"blocks_total"`
	TuplesDone  int64         `json:"tuples_done"`
	TuplesTotal int64         `json:"tuples_total"`
	Elapsed     time.Duration `json:"elapsed_ns"`
}

// Percent is the share of the current phase done, from blocks when the
// server counts them, else from tuples; -1 when it reports no total.
func (p Progress) Percent() float64 {
	return progress.Percent(p.BlocksDone, p.BlocksTotal, p.TuplesDone, p.TuplesTotal)
}

// watchProgress samples, until the returned stop is called, the index
// build that backend pid runs for m, and hands each sample to
// OnProgress. It does nothing without OnProgress or for a Migrator over
// a single connection (no second connection to read from).
func (mg *Migrator) watchProgress(ctx context.Context, pid uint32, m *Migration) (stop func()) {
	if mg.opts.OnProgress == nil || mg.pool == nil {
		return func() {}
	}
	return progress.Watch(ctx, mg.pool, pid, mg.opts.ProgressInterval, func(s progress.Index, elapsed time.Duration) {
		mg.opts.OnProgress(Progress{Version: m.Version, Source: m.Source(), Command: s.Command, Phase: s.Phase,
			BlocksDone: s.BlocksDone, BlocksTotal: s.BlocksTotal, TuplesDone: s.TuplesDone, TuplesTotal: s.TuplesTotal,
			Elapsed: elapsed})
	})
}
