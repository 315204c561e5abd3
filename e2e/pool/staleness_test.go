package pool

import (
	"context"
	"sync"
	"testing"
	"time"

	normpool "github.com/normkit/norm/pool"
	"github.com/normkit/norm/tools/pgtest"
)

// TestStalenessIsBoundedWhenTheReplicaStopsReceiving cuts the replica's
// WAL stream while another process writes every 100ms. The replica
// receives nothing, so by its own numbers it has no lag at all; measured
// against the primary it falls behind, and it must leave the rotation
// within HealthCheckPeriod + MaxReplicaLag of the first write it misses.
func TestStalenessIsBoundedWhenTheReplicaStopsReceiving(t *testing.T) {
	t.Parallel()
	c := dedicated(t, pgtest.Options{Replica: true})
	const period, maxLag = 100 * time.Millisecond, time.Second
	db, d := openReplicated(t, c, `CREATE TABLE ticks (n int PRIMARY KEY)`, normpool.Config{
		HealthCheckPeriod: period, MaxReplicaLag: maxLag,
		// The writes come from another process: nothing of this DB's own.
		AllowStaleReads: true,
	})
	ctx := testCtx(t)
	eventually(t, 5*time.Second, "the replica never served a read", func() bool {
		return onReplica(ctx, t, db, "SELECT pg_is_in_recovery()")
	})
	if err := c.CutReplicaStream(ctx); err != nil {
		t.Fatal(err)
	}
	cut := time.Now()
	writer := d.Conn(t)
	var mu sync.Mutex
	written := 0
	wctx, stopWriting := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for n := 1; wctx.Err() == nil; n++ {
			if _, err := writer.Exec(wctx, "INSERT INTO ticks VALUES ($1)", n); err != nil {
				return
			}
			mu.Lock()
			written = n
			mu.Unlock()
			time.Sleep(100 * time.Millisecond)
		}
	}()
	// The promise is HealthCheckPeriod + MaxReplicaLag after the first
	// write the replica misses; five more probe periods of slack absorb
	// the scheduling of a loaded 2-core CI machine under -race.
	bound := period + maxLag + 5*period
	late, staleLate, reads := 0, 0, 0
	for time.Since(cut) < 4*time.Second {
		var n int
		var replica bool
		if err := db.QueryRow(ctx, "SELECT COALESCE(max(n), 0), pg_is_in_recovery() FROM ticks").Scan(&n, &replica); err != nil {
			t.Fatal(err)
		}
		reads++
		if time.Since(cut) > bound {
			late++
			if replica {
				staleLate++
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	rep, err := db.Health(ctx)
	if err != nil {
		t.Fatal(err)
	}
	stopWriting()
	wg.Wait()
	mu.Lock()
	t.Logf("%d reads, %d later than %s after the cut, %d of those on the cut replica; %d rows written", reads, late, bound, staleLate, written)
	mu.Unlock()
	if staleLate != 0 {
		t.Errorf("%d of %d reads later than %s after the cut went to the replica that receives nothing", staleLate, late, bound)
	}
	r := rep.Endpoints[1]
	if r.LagSeconds < maxLag.Seconds() || r.LagBytes <= 0 {
		t.Errorf("health of the cut replica: lag_seconds=%.2f lag_bytes=%d, want the true lag (over %s, bytes > 0)", r.LagSeconds, r.LagBytes, maxLag)
	}
	// Restored, it catches up and serves reads again.
	if err := c.RestoreReplicaStream(ctx); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "the replica did not rejoin the rotation after catching up", func() bool {
		return onReplica(ctx, t, db, "SELECT pg_is_in_recovery()")
	})
	rep, _ = db.Health(ctx)
	if r := rep.Endpoints[1]; r.LagBytes != 0 || r.LagSeconds > maxLag.Seconds() {
		t.Errorf("health after catching up: lag_seconds=%.2f lag_bytes=%d", r.LagSeconds, r.LagBytes)
	}
}
