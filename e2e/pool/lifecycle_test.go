package pool

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	normpool "github.com/normkit/norm/pool"
	"github.com/normkit/norm/tools/pgtest"
)

// sleepers counts statements of database name still running pg_sleep.
func sleepers(ctx context.Context, t *testing.T, d *pgtest.Database) int {
	t.Helper()
	var n int
	admin := d.Pool(t)
	err := admin.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
		WHERE datname = $1 AND state = 'active' AND query LIKE '%pg_sleep%' AND pid <> pg_backend_pid()`, d.Name).Scan(&n)
	if err != nil {
		t.Fatalf("pg_stat_activity: %v", err)
	}
	return n
}

func TestCanceledCtxStopsTheServerStatement(t *testing.T) {
	t.Parallel()
	d := cluster.NewDatabase(t)
	db := open(t, normpool.Config{ConnString: d.DSN(), MaxConns: 4, CancelGracePeriod: 2 * time.Second})
	ctx := testCtx(t)
	// A storm of canceled statements, more than MaxConns.
	var wg sync.WaitGroup
	var canceled atomic.Int32
	for range 24 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			qctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
			defer cancel()
			_, err := db.Exec(qctx, "SELECT pg_sleep(30)")
			if errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err) {
				canceled.Add(1)
			} else {
				t.Errorf("canceled statement returned %v", err)
			}
		}()
	}
	wg.Wait()
	if canceled.Load() != 24 {
		t.Fatalf("%d of 24 statements reported their cancellation", canceled.Load())
	}
	eventually(t, 5*time.Second, "pg_sleep statements still running on the server", func() bool {
		return sleepers(ctx, t, d) == 0
	})
	var conns int
	if err := d.Pool(t).QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND application_name <> ''", d.Name).Scan(&conns); err != nil {
		t.Fatal(err)
	}
	if st := db.Primary().Stat(); st.TotalConns() > 4 {
		t.Errorf("pool holds %d connections, MaxConns is 4", st.TotalConns())
	}
	if _, err := db.Exec(ctx, "SELECT 1"); err != nil {
		t.Errorf("pool unusable after the storm: %v", err)
	}
}

func TestShutdownLetsInFlightWorkFinish(t *testing.T) {
	t.Parallel()
	d := cluster.NewDatabase(t)
	db, err := normpool.Open(testCtx(t), normpool.Config{ConnString: d.DSN(), MaxConns: 8})
	if err != nil {
		t.Fatal(err)
	}
	ctx := testCtx(t)
	started := make(chan struct{}, 16)
	var wg sync.WaitGroup
	results := make(chan error, 16)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				results <- db.InTx(ctx, func(ctx context.Context) error {
					started <- struct{}{}
					_, err := db.Exec(ctx, "SELECT pg_sleep(0.3)")
					if err != nil {
						return err
					}
					_, err = db.Exec(ctx, "SELECT 1") // still allowed while draining
					return err
				})
				return
			}
			started <- struct{}{}
			_, err := db.Exec(ctx, "SELECT pg_sleep(0.3)")
			results <- err
		}()
	}
	for range 8 { // at least half of the work is in flight
		<-started
	}
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	shutdownErr := make(chan error, 1)
	go func() { shutdownErr <- db.Shutdown(sctx) }()
	eventually(t, 5*time.Second, "Shutdown did not start refusing work", func() bool {
		_, err := db.Exec(ctx, "SELECT 1")
		return errors.Is(err, normpool.ErrClosed)
	})
	if err := <-shutdownErr; err != nil {
		t.Errorf("Shutdown = %v, want nil (everything finished in time)", err)
	}
	wg.Wait()
	close(results)
	var ok, closed int
	for err := range results {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, normpool.ErrClosed):
			closed++ // began after Shutdown started
		default:
			t.Errorf("in-flight work failed: %v", err)
		}
	}
	if ok < 8 {
		t.Errorf("%d calls completed, want at least the 8 in flight", ok)
	}
	if _, err := db.Exec(ctx, "SELECT 1"); !errors.Is(err, normpool.ErrClosed) {
		t.Errorf("Exec after Shutdown = %v, want ErrClosed", err)
	}
	if err := db.InTx(ctx, func(context.Context) error { return nil }); !errors.Is(err, normpool.ErrClosed) {
		t.Errorf("InTx after Shutdown = %v, want ErrClosed", err)
	}
}

func TestShutdownDeadlineCancelsWhatIsLeft(t *testing.T) {
	t.Parallel()
	d := cluster.NewDatabase(t)
	db, err := normpool.Open(testCtx(t), normpool.Config{ConnString: d.DSN(), CancelGracePeriod: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx := testCtx(t)
	stmtErr := make(chan error, 1)
	go func() {
		_, err := db.Exec(ctx, "SELECT pg_sleep(60)")
		stmtErr <- err
	}()
	eventually(t, 5*time.Second, "the long statement never started", func() bool { return sleepers(ctx, t, d) == 1 })
	sctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	err = db.Shutdown(sctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown = %v, want an error wrapping DeadlineExceeded", err)
	}
	var pgErr *pgconn.PgError
	if err := <-stmtErr; !errors.As(err, &pgErr) || pgErr.Code != "57014" {
		t.Errorf("long statement = %v, want canceled by the server (57014)", err)
	}
	eventually(t, 5*time.Second, "pg_sleep still running after Shutdown", func() bool { return sleepers(ctx, t, d) == 0 })
}

func TestShutdownDeadlineEndsOpenTransactions(t *testing.T) {
	t.Parallel()
	d := cluster.NewDatabase(t)
	db, err := normpool.Open(testCtx(t), normpool.Config{ConnString: d.DSN(), CancelGracePeriod: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx := testCtx(t)
	if _, err := db.Exec(ctx, "CREATE TABLE t (v int)"); err != nil {
		t.Fatal(err)
	}
	inTx := make(chan struct{})
	release := make(chan struct{})
	txErr := make(chan error, 1)
	go func() {
		txErr <- db.InTx(ctx, func(ctx context.Context) error {
			if _, err := db.Exec(ctx, "INSERT INTO t VALUES (1)"); err != nil {
				return err
			}
			close(inTx)
			<-release // the caller is slow: past Shutdown's deadline
			_, err := db.Exec(ctx, "INSERT INTO t VALUES (2)")
			return err
		})
	}()
	<-inTx
	sctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	shutdownErr := make(chan error, 1)
	go func() { shutdownErr <- db.Shutdown(sctx) }()
	time.Sleep(400 * time.Millisecond) // past the deadline, within the grace
	close(release)
	if err := <-txErr; !errors.Is(err, normpool.ErrClosed) {
		t.Errorf("statement of a transaction left open past the deadline = %v, want ErrClosed", err)
	}
	if err := <-shutdownErr; !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown = %v, want DeadlineExceeded", err)
	}
	var n int
	if err := d.Conn(t).QueryRow(ctx, "SELECT count(*) FROM t").Scan(&n); err != nil || n != 0 {
		t.Errorf("rows = %d (%v), want 0: the unfinished transaction must not commit", n, err)
	}
}

func TestTerminateBackendStorm(t *testing.T) {
	t.Parallel()
	d := cluster.NewDatabase(t)
	var retries atomic.Int32
	db := open(t, normpool.Config{ConnString: d.DSN(), MaxConns: 6,
		Retry: normpool.RetryConfig{MaxAttempts: 6, BaseDelay: 5 * time.Millisecond,
			OnRetry: func(context.Context, normpool.RetryEvent) { retries.Add(1) }}})
	ctx := testCtx(t)
	if _, err := db.Exec(ctx, "CREATE TABLE hits (k int)"); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var reads, unknownReads atomic.Int32
	for i := range 4 {
		// Reads marked Idempotent are replayed after a lost connection;
		// unmarked ones on the primary are not (SQL text cannot prove that
		// a SELECT does not write) and report an unknown outcome instead.
		idempotent := i%2 == 0
		wg.Add(1)
		go func() { // busy and idle connections: short sleeps with gaps
			defer wg.Done()
			rctx := ctx
			if idempotent {
				rctx = normpool.Idempotent(ctx)
			}
			for {
				select {
				case <-stop:
					return
				default:
				}
				var one int
				err := db.QueryRow(rctx, "SELECT 1 FROM pg_sleep(0.01)").Scan(&one)
				reads.Add(1)
				switch {
				case err == nil:
				case !idempotent && errors.Is(err, normpool.ErrOutcomeUnknown):
					unknownReads.Add(1)
				default:
					t.Errorf("read (idempotent=%v) failed during the storm: %v", idempotent, err)
				}
				time.Sleep(5 * time.Millisecond)
			}
		}()
	}
	var acked []int
	var ackMu sync.Mutex
	wg.Add(1)
	go func() { // writes: each either acknowledged or failed, never doubled
		defer wg.Done()
		for k := 0; ; k++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := db.Exec(ctx, "INSERT INTO hits VALUES ($1)", k); err == nil {
				ackMu.Lock()
				acked = append(acked, k)
				ackMu.Unlock()
			}
			time.Sleep(3 * time.Millisecond)
		}
	}()
	killed := 0
	for range 8 {
		time.Sleep(150 * time.Millisecond)
		n, err := cluster.TerminateBackends(ctx, d.Name)
		if err != nil {
			t.Fatal(err)
		}
		killed += n
	}
	close(stop)
	wg.Wait()
	if killed == 0 || retries.Load() == 0 {
		t.Fatalf("the storm terminated %d backends and caused %d retries: it tested nothing", killed, retries.Load())
	}
	var dup int
	if err := db.QueryRow(ctx, "SELECT count(*) FROM (SELECT k FROM hits GROUP BY k HAVING count(*) > 1) d").Scan(&dup); err != nil {
		t.Fatal(err)
	}
	if dup != 0 {
		t.Errorf("%d inserts were duplicated by a retry", dup)
	}
	var present int
	if err := db.QueryRow(ctx, "SELECT count(*) FROM hits WHERE k = ANY($1)", acked).Scan(&present); err != nil {
		t.Fatal(err)
	}
	if present != len(acked) {
		t.Errorf("%d of %d acknowledged inserts are missing", len(acked)-present, len(acked))
	}
	t.Logf("terminated %d backends; %d reads (%d with an unknown outcome), %d retries, %d acknowledged writes",
		killed, reads.Load(), unknownReads.Load(), retries.Load(), len(acked))
	if st := db.Primary().Stat(); st.TotalConns() > 6 {
		t.Errorf("pool holds %d connections, MaxConns is 6", st.TotalConns())
	}
}
