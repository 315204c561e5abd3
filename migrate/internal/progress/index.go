// Package progress samples what PostgreSQL reports of an index build in
// progress, for both halves of migrate: the file runner's no-transaction
// files and the planner's steps outside a transaction.
package progress

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/normkit/norm/migrate/internal/lock"
)

// Index is one row of pg_stat_progress_create_index. Totals are 0 while
// the server does not know them yet (some phases count blocks, others
// tuples).
type Index struct {
	Command     string
	Phase       string
	BlocksDone  int64
	BlocksTotal int64
	TuplesDone  int64
	TuplesTotal int64
}

// Percent is the share of the current phase done, from blocks when the
// server counts them, else from tuples; -1 when it reports no total.
func Percent(blocksDone, blocksTotal, tuplesDone, tuplesTotal int64) float64 {
	switch {
	case blocksTotal > 0:
		return 100 * float64(blocksDone) / float64(blocksTotal)
	case tuplesTotal > 0:
		return 100 * float64(tuplesDone) / float64(tuplesTotal)
	}
	return -1
}

// DefaultInterval is how often a build is sampled when no interval is
// configured.
const DefaultInterval = time.Second

// Watch samples, every interval (DefaultInterval when <= 0) until the
// returned stop is called, the index build that backend pid runs, on a
// connection of p of its own, and hands each sample and the time since
// Watch to fn. Sampling is best effort: without a connection, or once a
// query fails, it stops quietly and the migration goes on. A pid running
// no index build (between statements, or another statement) yields no
// sample. stop waits for the sampler, so fn is not called after it.
func Watch(ctx context.Context, p lock.Pool, pid uint32, interval time.Duration, fn func(Index, time.Duration)) (stop func()) {
	if interval <= 0 {
		interval = DefaultInterval
	}
	wctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		conn, err := p.Acquire(wctx)
		if err != nil {
			return
		}
		defer conn.Release()
		start := time.Now()
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-wctx.Done():
				return
			case <-tick.C:
			}
			var s Index
			err := conn.QueryRow(wctx, `SELECT command, phase, blocks_done, blocks_total, tuples_done, tuples_total
				FROM pg_stat_progress_create_index WHERE pid = $1`, int64(pid)).
				Scan(&s.Command, &s.Phase, &s.BlocksDone, &s.BlocksTotal, &s.TuplesDone, &s.TuplesTotal)
			if errors.Is(err, pgx.ErrNoRows) {
				continue
			}
			if err != nil {
				return
			}
			fn(s, time.Since(start))
		}
	}()
	return func() {
		cancel()
		wg.Wait()
	}
}
