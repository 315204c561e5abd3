package repo

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	normpool "github.com/normkit/norm/pool"
	"github.com/normkit/norm/repo"
	"github.com/normkit/norm/tools/pgtest"
)

// pool.DB routes the cache's misses to the primary, and carries
// transactions in ctx (repo finds both by one type assertion in New, so
// these lines are what breaks the build if pool.DB loses either).
var (
	_ repo.PrimaryRouter  = (*normpool.DB)(nil)
	_ repo.TxCarrier      = (*normpool.DB)(nil)
	_ repo.AfterCommitter = (*normpool.DB)(nil)
)

// ledgerAccount has no version column: nothing but the cache stands
// between a stale read and a lost update.
type ledgerAccount struct {
	ID    int64  `db:"id" norm:"pk"`
	Email string `db:"email"`
	Name  string `db:"name"`
}

func (ledgerAccount) TableName() string { return "accounts" }

// TestCacheNeverServesARowOlderThanTheLastWrite runs a cached repository
// over pool.DB with a replica whose replay is paused (a lagging replica),
// and checks the WithCache promise: a committed write is never followed by
// a stale read from the repository — not right after the write, not after
// replay catches up (a stale row must not have been cached), and so a
// read-modify-write never reverts an earlier write. With the default
// routing and with AllowStaleReads, directly and through PgBouncer.
func TestCacheNeverServesARowOlderThanTheLastWrite(t *testing.T) {
	t.Parallel()
	ctx := ctxT(t)
	c, err := pgtest.Start(ctx, pgtest.Options{Replica: true, PgBouncer: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	d := c.NewDatabase(t)
	const n = 20
	if _, err := d.Conn(t).Exec(ctx, fmt.Sprintf(`CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL, name text NOT NULL);
		INSERT INTO accounts SELECT g, 'old' || g || '@x', 'name' || g FROM generate_series(1, %d) g`, 4*n)); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitReplay(ctx); err != nil {
		t.Fatal(err)
	}
	primary := d.Conn(t)
	base := int64(0)
	for _, via := range []string{"direct", "pgbouncer"} {
		for _, stale := range []bool{false, true} {
			name := via + "/default"
			if stale {
				name = via + "/AllowStaleReads"
			}
			from := base
			base += int64(n)
			t.Run(name, func(t *testing.T) {
				dsn, mode := d.DSN(), pgx.QueryExecModeCacheStatement
				if via == "pgbouncer" {
					dsn, mode = d.BouncerDSN(t), pgx.QueryExecModeCacheDescribe
				}
				db, err := normpool.Open(ctx, normpool.Config{ConnString: dsn, ReplicaConnStrings: []string{d.ReplicaDSN(t)},
					QueryExecMode: mode, HealthCheckPeriod: 100 * time.Millisecond, MaxReplicaLag: time.Hour, AllowStaleReads: stale})
				must(t, err)
				t.Cleanup(db.Close)
				accounts, err := repo.New[ledgerAccount](db, repo.WithCache(repo.NewLRU(1000, time.Hour, nil), time.Hour))
				must(t, err)
				for id := from + 1; id <= from+int64(n); id++ {
					_, err := accounts.FindByID(ctx, id) // cached before the writes
					must(t, err)
				}
				must(t, c.PauseReplay(ctx))
				resumed := false
				defer func() {
					if !resumed {
						_ = c.ResumeReplay(context.WithoutCancel(ctx))
					}
				}()
				staleNow, reverted := 0, 0
				for id := from + 1; id <= from+int64(n); id++ {
					email := fmt.Sprintf("new%d@x", id)
					must(t, accounts.Update(ctx, &ledgerAccount{ID: id, Email: email, Name: fmt.Sprintf("name%d", id)}))
					got, err := accounts.FindByID(ctx, id)
					must(t, err)
					if got.Email != email {
						staleNow++
					}
					// Read, modify, write: must not bring the old email back.
					got.Name = "renamed"
					must(t, accounts.Update(ctx, got))
					var onPrimary string
					must(t, primary.QueryRow(ctx, "SELECT email FROM accounts WHERE id = $1", id).Scan(&onPrimary))
					if onPrimary != email {
						reverted++
					}
				}
				must(t, c.ResumeReplay(ctx))
				resumed = true
				must(t, c.WaitReplay(ctx))
				staleLater := 0
				for id := from + 1; id <= from+int64(n); id++ {
					got, err := accounts.FindByID(ctx, id)
					must(t, err)
					if got.Email != fmt.Sprintf("new%d@x", id) || got.Name != "renamed" {
						staleLater++
					}
				}
				if staleNow+reverted+staleLater != 0 {
					t.Errorf("%d of %d reads right after the write were stale, %d read-modify-writes reverted the email, %d reads after replay caught up served an old row",
						staleNow, n, reverted, staleLater)
				}
			})
		}
	}
}
