package pool

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	normpool "github.com/normkit/norm/pool"
)

// Querier is what repo and migrate declare; *pool.DB must satisfy it.
type Querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// executor is the rest of the pgx surface other modules look for.
type executor interface {
	Querier
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
	CopyFrom(ctx context.Context, table pgx.Identifier, cols []string, src pgx.CopyFromSource) (int64, error)
	Begin(ctx context.Context) (pgx.Tx, error)
	BeginTx(ctx context.Context, opts pgx.TxOptions) (pgx.Tx, error)
}

type afterCommitter interface {
	AfterCommit(ctx context.Context, fn func()) bool
}

var (
	_ executor       = (*normpool.DB)(nil)
	_ afterCommitter = (*normpool.DB)(nil)
)

const routingSchema = `
CREATE TABLE items (id bigserial PRIMARY KEY, name text NOT NULL);
CREATE SEQUENCE counter;
INSERT INTO items (name) VALUES ('seed');
CREATE FUNCTION write_hidden() RETURNS bool LANGUAGE sql AS
  $$ INSERT INTO items (name) VALUES ('hidden') RETURNING pg_is_in_recovery() $$;`

func TestRoutingReadsToReplicaWritesToPrimary(t *testing.T) {
	t.Parallel()
	db, _ := openReplicated(t, cluster, routingSchema, normpool.Config{
		// Routing by statement, not read-your-writes (ryw_test.go):
		// reads right after this DB wrote may go to the replica.
		AllowStaleReads: true,
	})
	ctx := testCtx(t)
	tests := []struct {
		name        string
		ctx         context.Context
		sql         string
		wantReplica bool
	}{
		{"plain select", ctx, "SELECT pg_is_in_recovery() FROM items LIMIT 1", true},
		{"with cte read", ctx, "WITH x AS (SELECT 1) SELECT pg_is_in_recovery() FROM x", true},
		{"insert returning", ctx, "INSERT INTO items (name) VALUES ('a') RETURNING pg_is_in_recovery()", false},
		{"select for update", ctx, "SELECT pg_is_in_recovery() FROM items LIMIT 1 FOR UPDATE", false},
		{"data-modifying cte", ctx,
			"WITH d AS (UPDATE items SET name = name WHERE id = 1 RETURNING 1) SELECT pg_is_in_recovery() FROM d", false},
		{"nextval", ctx, "SELECT nextval('counter') > 0 AND pg_is_in_recovery()", false},
		{"write hidden in a function moves to the primary", ctx, "SELECT write_hidden()", false},
		{"UsePrimary", normpool.UsePrimary(ctx), "SELECT pg_is_in_recovery()", false},
		{"unsure statement", ctx, "SELECT pg_is_in_recovery() FROM (SELECT set_config('app.x', '1', true)) s", false},
		{"UseReplica on an unsure statement", normpool.UseReplica(ctx),
			"SELECT pg_is_in_recovery() FROM (SELECT set_config('app.x', '1', true)) s", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := onReplica(tt.ctx, t, db, tt.sql); got != tt.wantReplica {
				t.Errorf("QueryRow %q ran on replica=%v, want %v", tt.sql, got, tt.wantReplica)
			}
		})
	}
	t.Run("Query", func(t *testing.T) {
		rows, err := db.Query(ctx, "SELECT pg_is_in_recovery() FROM generate_series(1, 3)")
		if err != nil {
			t.Fatal(err)
		}
		got, err := pgx.CollectRows(rows, pgx.RowTo[bool])
		if err != nil || len(got) != 3 || !got[0] {
			t.Errorf("Query read: %v %v, want 3 rows from the replica", got, err)
		}
		rows, err = db.Query(ctx, "SELECT write_hidden()")
		if err != nil {
			t.Fatal(err)
		}
		got, err = pgx.CollectRows(rows, pgx.RowTo[bool])
		if err != nil || len(got) != 1 || got[0] {
			t.Errorf("Query with a hidden write: %v %v, want one row from the primary", got, err)
		}
	})
	t.Run("Exec write lands on primary", func(t *testing.T) {
		tag, err := db.Exec(ctx, "INSERT INTO items (name) VALUES ($1)", "exec")
		if err != nil || tag.RowsAffected() != 1 {
			t.Fatalf("Exec insert: %v %v", tag, err)
		}
		var n int
		if err := db.QueryRow(normpool.UsePrimary(ctx), "SELECT count(*) FROM items WHERE name = 'exec'").Scan(&n); err != nil || n != 1 {
			t.Errorf("row on primary: n=%d err=%v", n, err)
		}
	})
	t.Run("transaction runs on primary", func(t *testing.T) {
		err := db.InTx(ctx, func(ctx context.Context) error {
			if onReplica(ctx, t, db, "SELECT pg_is_in_recovery()") {
				t.Error("a read inside InTx ran on the replica")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

func TestNoReplicaReadsFromPrimary(t *testing.T) {
	t.Parallel()
	d := cluster.NewDatabase(t)
	db := open(t, normpool.Config{ConnString: d.DSN()})
	if onReplica(testCtx(t), t, db, "SELECT pg_is_in_recovery()") {
		t.Error("read ran on a replica although none is configured")
	}
	if got := db.Replica(); got != db.Primary() {
		t.Error("Replica() without replicas is not the primary's pool")
	}
}

// TestReadOnlyPrimaryIsDetected points the primary at a hot standby, as a
// failover that demoted the primary would: writes get 25006 from the
// "primary", which resets its pool, re-checks its role and reports it.
func TestReadOnlyPrimaryIsDetected(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	d := cluster.NewDatabase(t)
	if _, err := d.Conn(t).Exec(ctx, "CREATE TABLE t (v int)"); err != nil {
		t.Fatal(err)
	}
	if err := cluster.WaitReplay(ctx); err != nil {
		t.Fatal(err)
	}
	retries := 0
	db := open(t, normpool.Config{ConnString: d.ReplicaDSN(t),
		Retry: normpool.RetryConfig{MaxAttempts: 2, OnRetry: func(context.Context, normpool.RetryEvent) { retries++ }}})
	_, err := db.Exec(ctx, "INSERT INTO t VALUES (1)")
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "25006" || retries != 1 {
		t.Fatalf("write on a read-only primary: %v after %d retries, want 25006 after 1 retry", err, retries)
	}
	rep, err := db.Health(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if p := rep.Endpoints[0]; !p.InRecovery || !strings.Contains(p.Error, "read-only") {
		t.Errorf("primary line = %+v, want in recovery with a read-only error", p)
	}
}

// TestReadOnlyDatabaseIsNotRetried: a primary that refuses writes while not
// in recovery (default_transaction_read_only) is not reset nor retried.
func TestReadOnlyDatabaseIsNotRetried(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	d := cluster.NewDatabase(t)
	if _, err := d.Conn(t).Exec(ctx, "CREATE TABLE t (v int); ALTER DATABASE "+pgx.Identifier{d.Name}.Sanitize()+
		" SET default_transaction_read_only = on"); err != nil {
		t.Fatal(err)
	}
	retries := 0
	db := open(t, normpool.Config{ConnString: d.DSN(),
		Retry: normpool.RetryConfig{OnRetry: func(context.Context, normpool.RetryEvent) { retries++ }}})
	_, err := db.Exec(ctx, "INSERT INTO t VALUES (1)")
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "25006" || retries != 0 {
		t.Errorf("write on a read-only database: %v after %d retries, want 25006 at once", err, retries)
	}
}
