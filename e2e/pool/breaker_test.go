package pool

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	normpool "github.com/normkit/norm/pool"
	"github.com/normkit/norm/tools/pgtest"
)

type stateLog struct {
	mu     sync.Mutex
	events []normpool.BreakerEvent
}

func (l *stateLog) record(ev normpool.BreakerEvent) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, ev)
}

func (l *stateLog) states() []normpool.BreakerState {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []normpool.BreakerState
	for _, ev := range l.events {
		out = append(out, ev.To)
	}
	return out
}

func TestBreakerOpensOnUnreachablePrimaryAndRecovers(t *testing.T) {
	t.Parallel()
	c := dedicated(t, pgtest.Options{})
	d := c.NewDatabase(t)
	var log stateLog
	db := open(t, normpool.Config{
		ConnString:     d.DSN(),
		ConnectTimeout: time.Second,
		Retry:          normpool.RetryConfig{MaxAttempts: 1},
		Breaker: normpool.BreakerConfig{FailureThreshold: 3, OpenTimeout: 300 * time.Millisecond,
			OnStateChange: log.record},
		HealthCheckPeriod: 100 * time.Millisecond,
	})
	ctx := testCtx(t)
	if _, err := db.Exec(ctx, "SELECT 1"); err != nil {
		t.Fatal(err)
	}
	if err := c.StopPrimary(ctx); err != nil {
		t.Fatal(err)
	}
	var err error
	for i := 0; i < 100 && !errors.Is(err, normpool.ErrCircuitOpen); i++ {
		_, err = db.Exec(ctx, "SELECT 1")
		if err == nil {
			t.Fatal("statement succeeded on a stopped primary")
		}
	}
	var open *normpool.CircuitOpenError
	if !errors.As(err, &open) || open.Endpoint == "" {
		t.Fatalf("after repeated failures: %v, want a CircuitOpenError naming the endpoint", err)
	}
	rep, _ := db.Health(ctx)
	if rep.Status != "down" || rep.Endpoints[0].Up {
		t.Errorf("health while stopped = %+v, want primary down", rep)
	}
	if err := c.StartPrimary(ctx); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "the breaker never let calls through again", func() bool {
		_, err := db.Exec(ctx, "SELECT 1")
		return err == nil
	})
	eventually(t, 5*time.Second, "the breaker did not close", func() bool {
		rep, _ := db.Health(ctx)
		return rep.Endpoints[0].Breaker == normpool.BreakerClosed
	})
	// It closes through half-open (a probe admitted after OpenTimeout) or
	// straight from open (a probe found the server answering again).
	got := log.states()
	if len(got) < 2 || got[0] != normpool.BreakerOpen || got[len(got)-1] != normpool.BreakerClosed {
		t.Errorf("state changes = %v, want open … closed", got)
	}
}

func TestBreakerIgnoresStatementErrors(t *testing.T) {
	t.Parallel()
	d := cluster.NewDatabase(t)
	var log stateLog
	db := open(t, normpool.Config{ConnString: d.DSN(),
		Breaker: normpool.BreakerConfig{FailureThreshold: 2, OnStateChange: log.record}})
	ctx := testCtx(t)
	if _, err := db.Exec(ctx, "CREATE TABLE u (id int PRIMARY KEY); INSERT INTO u VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	for range 50 {
		_, err := db.Exec(ctx, "INSERT INTO u VALUES (1)")
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "23505" {
			t.Fatalf("duplicate insert = %v, want 23505", err)
		}
	}
	for range 10 {
		if _, err := db.Exec(ctx, "SELEC 1"); err == nil {
			t.Fatal("syntax error accepted")
		}
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := db.Exec(cctx, "SELECT 1"); err == nil {
			t.Fatal("canceled ctx accepted")
		}
	}
	rep, err := db.Health(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s := rep.Endpoints[0].Breaker; s != normpool.BreakerClosed {
		t.Errorf("breaker after statement errors = %s, want closed", s)
	}
	if got := log.states(); len(got) != 0 {
		t.Errorf("state changes = %v, want none", got)
	}
}

func TestPrimaryRestartUnderLoad(t *testing.T) {
	t.Parallel()
	c := dedicated(t, pgtest.Options{})
	d := c.NewDatabase(t)
	db := open(t, normpool.Config{
		ConnString: d.DSN(), MaxConns: 6, ConnectTimeout: time.Second,
		Retry:   normpool.RetryConfig{MaxAttempts: 6, BaseDelay: 50 * time.Millisecond, MaxDelay: 500 * time.Millisecond},
		Breaker: normpool.BreakerConfig{OpenTimeout: 200 * time.Millisecond},
	})
	ctx := testCtx(t)
	if _, err := db.Exec(ctx, "CREATE TABLE orders (k int)"); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	var acked []int
	var failed int
	for w := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				k := w*1_000_000 + i
				_, err := db.Exec(ctx, "INSERT INTO orders VALUES ($1)", k)
				mu.Lock()
				if err == nil {
					acked = append(acked, k)
				} else {
					failed++
				}
				mu.Unlock()
				time.Sleep(2 * time.Millisecond)
			}
		}()
	}
	time.Sleep(200 * time.Millisecond)
	if err := c.RestartPrimary(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	ackedAtRestart := len(acked)
	mu.Unlock()
	eventually(t, 15*time.Second, "writes did not resume after the restart", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(acked) > ackedAtRestart+20
	})
	close(stop)
	wg.Wait()
	var dup, present int
	if err := db.QueryRow(ctx, "SELECT count(*) FROM (SELECT k FROM orders GROUP BY k HAVING count(*) > 1) d").Scan(&dup); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(ctx, "SELECT count(DISTINCT k) FROM orders WHERE k = ANY($1)", acked).Scan(&present); err != nil {
		t.Fatal(err)
	}
	if dup != 0 {
		t.Errorf("%d inserts were duplicated by a retry", dup)
	}
	if present != len(acked) {
		t.Errorf("%d of %d acknowledged writes were lost", len(acked)-present, len(acked))
	}
	t.Logf("%d acknowledged writes, %d failed around the restart", len(acked), failed)
}
