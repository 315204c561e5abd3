package pool

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	normpool "github.com/normkit/norm/pool"
	"github.com/normkit/norm/tools/pgtest"
)

// TestFailoverWithAMultiHostDSN runs continuous writers through a
// promotion: the primary stops, the replica is promoted. With a multi-host
// DSN (target_session_attrs=read-write) the pool must follow it — writes
// resume within 2s, Health names the new primary, no acknowledged write
// is lost when replication is synchronous, none is applied twice — and
// must not write to the old primary once it is back as a standby.
func TestFailoverWithAMultiHostDSN(t *testing.T) {
	t.Parallel()
	for _, sync := range []bool{true, false} {
		name := "asynchronous replication"
		if sync {
			name = "synchronous replication"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			failover(t, sync)
		})
	}
}

func failover(t *testing.T, synchronous bool) {
	c := dedicated(t, pgtest.Options{Replica: true, SynchronousReplica: synchronous})
	d := c.NewDatabase(t)
	ctx := testCtx(t)
	if _, err := d.Conn(t).Exec(ctx, "CREATE TABLE acks (w int NOT NULL, n int NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitReplay(ctx); err != nil {
		t.Fatal(err)
	}
	replicaPort := portOf(t, d.ReplicaDSN(t))
	db := open(t, normpool.Config{ConnString: d.MultiHostDSN(t), HealthCheckPeriod: 100 * time.Millisecond})

	type ack struct{ w, n int }
	var mu sync.Mutex
	var acked []ack
	var lastErr error
	unknown := 0
	var firstAfter time.Time
	var stoppedAt time.Time
	wctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; wctx.Err() == nil; n++ {
				cctx, cancel := context.WithTimeout(wctx, time.Second)
				began := time.Now()
				_, err := db.Exec(cctx, "INSERT INTO acks VALUES ($1, $2)", w, n)
				cancel()
				mu.Lock()
				switch {
				case err == nil:
					acked = append(acked, ack{w, n})
					// The first write begun after the primary stopped that
					// succeeds: it can only have reached the promoted server.
					if !stoppedAt.IsZero() && began.After(stoppedAt) && firstAfter.IsZero() {
						firstAfter = time.Now()
					}
				case errors.Is(err, normpool.ErrOutcomeUnknown):
					unknown++
					lastErr = err
				default:
					lastErr = err
				}
				mu.Unlock()
				time.Sleep(5 * time.Millisecond)
			}
		}()
	}
	time.Sleep(500 * time.Millisecond)
	if err := c.StopPrimary(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	stoppedAt = time.Now()
	mu.Unlock()
	if err := c.PromoteReplica(ctx); err != nil { // Failover, in two steps
		t.Fatal(err)
	}
	t.Logf("promotion took %s", time.Since(stoppedAt))
	eventually(t, 10*time.Second, "writes never resumed after the failover", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return !firstAfter.IsZero()
	})
	time.Sleep(500 * time.Millisecond)
	stop()
	wg.Wait()
	resumed := firstAfter.Sub(stoppedAt)
	t.Logf("writes resumed %s after the primary stopped; %d acknowledged, %d with an unknown outcome; last error: %v",
		resumed, len(acked), unknown, lastErr)
	if resumed > 2*time.Second {
		t.Errorf("writes resumed %s after the primary stopped, want within 2s", resumed)
	}

	// What the new primary has.
	np, err := pgx.Connect(ctx, d.ReplicaDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer np.Close(context.WithoutCancel(ctx))
	have := map[ack]int{}
	rows, err := np.Query(ctx, "SELECT w, n FROM acks")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var a ack
		if err := rows.Scan(&a.w, &a.n); err != nil {
			t.Fatal(err)
		}
		have[a]++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	lost, dup := 0, 0
	for _, a := range acked {
		if have[a] == 0 {
			lost++
		}
	}
	for _, n := range have {
		if n > 1 {
			dup++
		}
	}
	t.Logf("acknowledged writes lost: %d of %d; applied twice: %d", lost, len(acked), dup)
	if dup != 0 {
		t.Errorf("%d writes were applied twice", dup)
	}
	if synchronous && lost != 0 {
		t.Errorf("%d acknowledged writes are missing on the promoted server, with synchronous replication", lost)
	}

	rep, err := db.Health(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if p := rep.Endpoints[0]; !p.Up || !strings.HasSuffix(p.Address, ":"+strconv.Itoa(replicaPort)) {
		t.Errorf("Health after the failover: primary %+v, want it up at the promoted server (port %d)", p, replicaPort)
	}

	// The old primary comes back as a standby: nothing is written there.
	if err := c.RejoinOldPrimaryAsStandby(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		var port int
		var standby bool
		err := db.QueryRow(ctx, fmt.Sprintf("INSERT INTO acks VALUES (99, %d) RETURNING inet_server_port(), pg_is_in_recovery()", i)).
			Scan(&port, &standby)
		if err != nil {
			t.Fatalf("write %d after the old primary rejoined: %v", i, err)
		}
		if port != replicaPort || standby {
			t.Fatalf("write %d went to port %d (standby %v), want the promoted server on %d", i, port, standby, replicaPort)
		}
	}
}

func portOf(t *testing.T, dsn string) int {
	t.Helper()
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	return int(cfg.Port)
}
