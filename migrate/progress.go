package migrate

import (
	"context"
	"time"

	"github.com/normkit/norm/migrate/internal/progress"
)

// IndexProgress is one sample of an index build that Apply runs outside
// a transaction (CREATE INDEX CONCURRENTLY of a new index, or of the
// index behind a unique constraint planned online), as PostgreSQL reports
// it in pg_stat_progress_create_index. Totals are 0 while the server does
// not know them yet (some phases count blocks, others tuples).
// PostgreSQL reports no progress of VALIDATE CONSTRAINT or SET NOT NULL,
// so those steps yield no samples.
type IndexProgress struct {
	// Kind and Table are the step's.
	Kind  StepKind `json:"kind"`
	Table string   `json:"table"`
	// Command is the server's name of what runs: "CREATE INDEX
	// CONCURRENTLY", …
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
func (p IndexProgress) Percent() float64 {
	return progress.Percent(p.BlocksDone, p.BlocksTotal, p.TuplesDone, p.TuplesTotal)
}

// watchStep samples, until the returned stop is called, the index build
// that backend pid runs for step s, and hands each sample to
// OnIndexProgress. It does nothing without OnIndexProgress or for an
// AutoMigrator over a single connection (no second connection to read
// from).
func (a *AutoMigrator) watchStep(ctx context.Context, pid uint32, s Step) (stop func()) {
	if a.opts.OnIndexProgress == nil || a.pool == nil {
		return func() {}
	}
	return progress.Watch(ctx, a.pool, pid, a.opts.ProgressInterval, func(x progress.Index, elapsed time.Duration) {
		a.opts.OnIndexProgress(IndexProgress{Kind: s.Kind, Table: s.Table, Command: x.Command, Phase: x.Phase,
			BlocksDone: x.BlocksDone, BlocksTotal: x.BlocksTotal, TuplesDone: x.TuplesDone, TuplesTotal: x.TuplesTotal,
			Elapsed: elapsed})
	})
}
