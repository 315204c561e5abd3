package pool

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	normpool "github.com/normkit/norm/pool"
)

func TestSendBatchAndCopyFrom(t *testing.T) {
	t.Parallel()
	db, _ := openReplicated(t, cluster, "CREATE TABLE kv (k int PRIMARY KEY, v text)", normpool.Config{})
	ctx := testCtx(t)

	b := &pgx.Batch{}
	b.Queue("INSERT INTO kv VALUES ($1, $2)", 1, "one")
	b.Queue("INSERT INTO kv VALUES ($1, $2)", 2, "two")
	b.Queue("SELECT count(*) FROM kv")
	br := db.SendBatch(ctx, b)
	for range 2 {
		if _, err := br.Exec(); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := br.QueryRow().Scan(&n); err != nil || n != 2 {
		t.Errorf("count in batch = %d (%v), want 2", n, err)
	}
	if err := br.Close(); err != nil {
		t.Fatal(err)
	}

	copied, err := db.CopyFrom(ctx, pgx.Identifier{"kv"}, []string{"k", "v"},
		pgx.CopyFromRows([][]any{{3, "three"}, {4, "four"}}))
	if err != nil || copied != 2 {
		t.Fatalf("CopyFrom = %d, %v", copied, err)
	}

	// Both join the transaction in ctx: a rollback undoes them.
	err = db.InTx(ctx, func(ctx context.Context) error {
		b := &pgx.Batch{}
		b.Queue("INSERT INTO kv VALUES ($1, $2)", 5, "five")
		if err := db.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		if _, err := db.CopyFrom(ctx, pgx.Identifier{"kv"}, []string{"k", "v"}, pgx.CopyFromRows([][]any{{6, "six"}})); err != nil {
			return err
		}
		return errors.New("roll back")
	})
	if err == nil {
		t.Fatal("InTx swallowed fn's error")
	}
	if err := db.QueryRow(normpool.UsePrimary(ctx), "SELECT count(*) FROM kv").Scan(&n); err != nil || n != 4 {
		t.Errorf("rows = %d (%v), want 4: the batch and copy inside the rolled-back tx must be gone", n, err)
	}

	// Session-level statements are refused in batches too.
	b = &pgx.Batch{}
	b.Queue("SET search_path = x")
	if err := db.SendBatch(ctx, b).Close(); !errors.Is(err, normpool.ErrSessionState) {
		t.Errorf("batch with SET = %v, want ErrSessionState", err)
	}
}

// TestWriteRetryNeedsIdempotent kills the one idle connection of a pool and
// then writes through it: the write may have reached the server, so it is
// returned as failed — unless the caller marked it idempotent.
func TestWriteRetryNeedsIdempotent(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	d := cluster.NewDatabase(t)
	if _, err := d.Conn(t).Exec(ctx, "CREATE TABLE w (k int)"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		ctx       context.Context
		wantRetry bool
	}{
		{"plain write is not replayed", ctx, false},
		{"idempotent write is retried", normpool.Idempotent(ctx), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			retried := 0
			db := open(t, normpool.Config{ConnString: d.DSN(), MaxConns: 1,
				Retry: normpool.RetryConfig{OnRetry: func(context.Context, normpool.RetryEvent) { retried++ }}})
			if _, err := db.Exec(ctx, "SELECT 1"); err != nil { // open the connection
				t.Fatal(err)
			}
			var pid uint32
			if err := db.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
				t.Fatal(err)
			}
			var ok bool
			if err := d.Pool(t).QueryRow(ctx, "SELECT pg_terminate_backend($1)", pid).Scan(&ok); err != nil || !ok {
				t.Fatalf("terminate %d: %v %v", pid, ok, err)
			}
			time.Sleep(100 * time.Millisecond) // let the FATAL reach the socket
			_, err := db.Exec(tt.ctx, "INSERT INTO w VALUES (1)")
			if tt.wantRetry {
				if err != nil || retried == 0 {
					t.Errorf("idempotent write: err=%v retries=%d, want success after a retry", err, retried)
				}
				return
			}
			var pgErr *pgconn.PgError
			if retried != 0 || err == nil || (errors.As(err, &pgErr) && pgErr.Code != "57P01") {
				t.Errorf("plain write: err=%v retries=%d, want the connection loss returned, no retry", err, retried)
			}
		})
	}
}

// TestCachedPlanChangeIsRetriedOnce: after ALTER TABLE changes a cached
// statement's result type, PostgreSQL rejects the cached plan (0A000) before
// running it; pool runs it again once, and the caller sees the new shape.
func TestCachedPlanChangeIsRetriedOnce(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	d := cluster.NewDatabase(t)
	admin := d.Conn(t)
	if _, err := admin.Exec(ctx, "CREATE TABLE shape (id int); INSERT INTO shape VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	var retries []normpool.RetryEvent
	db := open(t, normpool.Config{ConnString: d.DSN(), MaxConns: 1,
		Retry: normpool.RetryConfig{OnRetry: func(_ context.Context, ev normpool.RetryEvent) { retries = append(retries, ev) }}})
	read := func() []map[string]any {
		t.Helper()
		rows, err := db.Query(ctx, "SELECT * FROM shape")
		if err != nil {
			t.Fatal(err)
		}
		got, err := pgx.CollectRows(rows, pgx.RowToMap)
		if err != nil {
			t.Fatalf("read after the change: %v", err)
		}
		return got
	}
	if got := read(); len(got) != 1 || len(got[0]) != 1 {
		t.Fatalf("before: %v", got)
	}
	if _, err := admin.Exec(ctx, "ALTER TABLE shape ADD COLUMN extra int DEFAULT 7"); err != nil {
		t.Fatal(err)
	}
	got := read()
	if len(got) != 1 || got[0]["extra"] != int32(7) {
		t.Errorf("after ALTER: %v, want the new column", got)
	}
	if len(retries) != 1 || !strings.Contains(retries[0].Err.Error(), "cached plan must not change result type") {
		t.Errorf("retries = %+v, want exactly one after the cached plan error", retries)
	}
}
