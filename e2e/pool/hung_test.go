package pool

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	normpool "github.com/normkit/norm/pool"
	"github.com/normkit/norm/tools/pgtest"
)

// TestBreakerSeesAHungServer freezes every process of the primary
// (SIGSTOP): connections stay open, nothing answers, not even a cancel
// request. Calls that time out there are infrastructure failures, so the
// breaker opens and later calls fail fast; after the thaw it closes again
// within one OpenTimeout. Directly and through PgBouncer.
func TestBreakerSeesAHungServer(t *testing.T) {
	t.Parallel()
	for _, via := range []string{"direct", "pgbouncer"} {
		t.Run(via, func(t *testing.T) {
			t.Parallel()
			c := dedicated(t, pgtest.Options{PgBouncer: true})
			d := c.NewDatabase(t)
			dsn := d.DSN()
			mode := pgx.QueryExecModeCacheStatement
			if via == "pgbouncer" {
				dsn, mode = d.BouncerDSN(t), pgx.QueryExecModeCacheDescribe
			}
			var log stateLog
			const openTimeout = time.Second
			db := open(t, normpool.Config{ConnString: dsn, QueryExecMode: mode,
				CancelGracePeriod: 200 * time.Millisecond, HealthCheckPeriod: 100 * time.Millisecond,
				Retry:   normpool.RetryConfig{MaxAttempts: 1},
				Breaker: normpool.BreakerConfig{FailureThreshold: 3, OpenTimeout: openTimeout, OnStateChange: log.record}})
			ctx := testCtx(t)
			if _, err := db.Exec(ctx, "SELECT 1"); err != nil {
				t.Fatal(err)
			}
			if err := c.FreezePrimary(ctx); err != nil {
				t.Fatal(err)
			}
			frozen := true
			defer func() {
				if frozen {
					_ = c.ThawPrimary(context.Background())
				}
			}()
			var opened bool
			var fast time.Duration
			for i := 0; i < 20 && !opened; i++ {
				cctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
				start := time.Now()
				_, err := db.Exec(cctx, "SELECT 1")
				cancel()
				if err == nil {
					t.Fatal("a statement succeeded on a frozen server")
				}
				if errors.Is(err, normpool.ErrCircuitOpen) {
					opened, fast = true, time.Since(start)
				}
			}
			if !opened {
				t.Fatalf("the breaker never opened while the primary was frozen; events: %v", log.states())
			}
			if fast > 100*time.Millisecond {
				t.Errorf("an open breaker took %s to refuse a call", fast)
			}
			if err := c.ThawPrimary(ctx); err != nil {
				t.Fatal(err)
			}
			frozen = false
			thawed := time.Now()
			eventually(t, openTimeout+5*time.Second, "the breaker did not close after the thaw", func() bool {
				s := log.states()
				return len(s) > 0 && s[len(s)-1] == normpool.BreakerClosed
			})
			closedAfter := time.Since(thawed)
			t.Logf("breaker events %v; closed %s after the thaw", log.states(), closedAfter)
			// One OpenTimeout, plus a second for the probe and the
			// scheduling of a loaded CI machine.
			if closedAfter > openTimeout+time.Second {
				t.Errorf("the breaker closed %s after the thaw, want within one OpenTimeout (%s) and a probe", closedAfter, openTimeout)
			}
			if _, err := db.Exec(ctx, "SELECT 1"); err != nil {
				t.Errorf("after the thaw: %v", err)
			}
		})
	}
}

// TestShutdownKeepsItsDeadlineOnAFrozenServer: three calls with no
// deadline hang on a frozen primary; Shutdown with a 2s ctx must return
// by then plus its documented bound, and no caller may stay blocked after
// it returns.
func TestShutdownKeepsItsDeadlineOnAFrozenServer(t *testing.T) {
	t.Parallel()
	c := dedicated(t, pgtest.Options{})
	d := c.NewDatabase(t)
	const grace = 500 * time.Millisecond
	db, err := normpool.Open(testCtx(t), normpool.Config{ConnString: d.DSN(), CancelGracePeriod: grace})
	if err != nil {
		t.Fatal(err)
	}
	ctx := testCtx(t)
	if err := c.FreezePrimary(ctx); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.ThawPrimary(context.Background()) }()
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = db.Exec(context.Background(), "SELECT 1") // no deadline
		}()
	}
	time.Sleep(300 * time.Millisecond) // the calls are in flight
	sctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	start := time.Now()
	err = db.Shutdown(sctx)
	took := time.Since(start)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown = %v, want an error matching DeadlineExceeded", err)
	}
	// The documented bound: the deadline plus CancelGracePeriod plus 1s,
	// and 250ms for the scheduler of a loaded test machine.
	if limit := 2*time.Second + grace + time.Second + 250*time.Millisecond; took > limit {
		t.Errorf("Shutdown took %s, want at most %s", took, limit)
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(200 * time.Millisecond):
		t.Fatalf("calls were still blocked after Shutdown returned (it took %s)", took)
	}
	t.Logf("Shutdown took %s", took)
}
