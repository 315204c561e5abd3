package versioned

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
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
	switch {
	case p.BlocksTotal > 0:
		return 100 * float64(p.BlocksDone) / float64(p.BlocksTotal)
	case p.TuplesTotal > 0:
		return 100 * float64(p.TuplesDone) / float64(p.TuplesTotal)
	}
	return -1
}

// defaultProgressInterval is how often an index build is sampled when
// MigratorOptions.ProgressInterval is 0.
const defaultProgressInterval = time.Second

// watchProgress samples, until the returned stop is called, the index
// build that backend pid runs for m, on a connection of its own, and
// hands each sample to OnProgress. It does nothing without OnProgress or
// for a Migrator over a single connection (no second connection to read
// from).
func (mg *Migrator) watchProgress(ctx context.Context, pid uint32, m *Migration) (stop func()) {
	if mg.opts.OnProgress == nil || mg.pool == nil {
		return func() {}
	}
	every := mg.opts.ProgressInterval
	if every <= 0 {
		every = defaultProgressInterval
	}
	wctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		conn, err := mg.pool.Acquire(wctx)
		if err != nil {
			return // progress is best effort: the migration goes on
		}
		defer conn.Release()
		start := time.Now()
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-wctx.Done():
				return
			case <-tick.C:
			}
			p := Progress{Version: m.Version, Source: m.Source()}
			err := conn.QueryRow(wctx, `SELECT command, phase, blocks_done, blocks_total, tuples_done, tuples_total
				FROM pg_stat_progress_create_index WHERE pid = $1`, int64(pid)).
				Scan(&p.Command, &p.Phase, &p.BlocksDone, &p.BlocksTotal, &p.TuplesDone, &p.TuplesTotal)
			if errors.Is(err, pgx.ErrNoRows) {
				continue // between statements, or a statement that is no index build
			}
			if err != nil {
				return
			}
			p.Elapsed = time.Since(start)
			mg.opts.OnProgress(p)
		}
	}()
	return func() {
		cancel()
		wg.Wait()
	}
}
