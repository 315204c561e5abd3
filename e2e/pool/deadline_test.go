package pool

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	normpool "github.com/normkit/norm/pool"
	"github.com/normkit/norm/repo"
)

type lockedRow struct {
	ID int64  `db:"id" norm:"pk"`
	V  string `db:"v"`
}

func (lockedRow) TableName() string { return "locked_rows" }

// TestDeadlineErrorsKeepTheirCause lets a ctx deadline expire on every path
// of *DB — the server answers the cancel request with 57014 — and checks
// that the error still matches context.DeadlineExceeded.
func TestDeadlineErrorsKeepTheirCause(t *testing.T) {
	t.Parallel()
	db, d := openReplicated(t, cluster, `CREATE TABLE locked_rows (id bigint PRIMARY KEY, v text);
		INSERT INTO locked_rows VALUES (1, 'a');`, normpool.Config{})
	short := func() (context.Context, context.CancelFunc) {
		return context.WithTimeout(testCtx(t), 150*time.Millisecond)
	}
	paths := []struct {
		name string
		call func(ctx context.Context) error
	}{
		{"Exec", func(ctx context.Context) error { _, err := db.Exec(ctx, "SELECT pg_sleep(5)"); return err }},
		{"QueryRow", func(ctx context.Context) error {
			var s string
			return db.QueryRow(ctx, "SELECT pg_sleep(5)::text").Scan(&s)
		}},
		{"Query before the first row", func(ctx context.Context) error { return readAll(db.Query(ctx, "SELECT pg_sleep(5)")) }},
		{"Query while iterating", func(ctx context.Context) error {
			return readAll(db.Query(ctx, "SELECT pg_sleep(0.05) FROM generate_series(1, 100)"))
		}},
		{"Query on the primary", func(ctx context.Context) error {
			return readAll(db.Query(normpool.UsePrimary(ctx), "SELECT pg_sleep(5)"))
		}},
		{"Exec in InTx", func(ctx context.Context) error {
			return db.InTx(ctx, func(ctx context.Context) error {
				_, err := db.Exec(ctx, "SELECT pg_sleep(5)")
				return err
			})
		}},
		{"Query in InTx", func(ctx context.Context) error {
			return db.InTx(ctx, func(ctx context.Context) error {
				return readAll(db.Query(ctx, "SELECT pg_sleep(5)"))
			})
		}},
		{"QueryRow in InTx", func(ctx context.Context) error {
			return db.InTx(ctx, func(ctx context.Context) error {
				var s string
				return db.QueryRow(ctx, "SELECT pg_sleep(5)::text").Scan(&s)
			})
		}},
		{"SendBatch", func(ctx context.Context) error {
			b := &pgx.Batch{}
			b.Queue("SELECT pg_sleep(5)")
			return db.SendBatch(ctx, b).Close()
		}},
		{"repository Update over *DB, row locked", func(ctx context.Context) error {
			r, err := repo.New[lockedRow](db)
			if err != nil {
				return err
			}
			return r.Update(ctx, &lockedRow{ID: 1, V: "b"})
		}},
	}
	// A transaction holding the row lock makes the repository's UPDATE wait.
	holder := d.Conn(t)
	hctx := testCtx(t)
	if _, err := holder.Exec(hctx, "BEGIN; SELECT * FROM locked_rows WHERE id = 1 FOR UPDATE"); err != nil {
		t.Fatal(err)
	}
	defer holder.Exec(context.WithoutCancel(hctx), "ROLLBACK") //nolint:errcheck // cleanup
	for _, p := range paths {
		ctx, cancel := short()
		err := p.call(ctx)
		cancel()
		if err == nil {
			t.Errorf("%s: no error after the deadline", p.name)
			continue
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s: %v does not match context.DeadlineExceeded", p.name, err)
		}
	}
	// A caller's own cancellation keeps its cause too.
	ctx, cancel := context.WithCancel(testCtx(t))
	time.AfterFunc(150*time.Millisecond, cancel)
	err := db.InTx(ctx, func(ctx context.Context) error {
		_, err := db.Exec(ctx, "SELECT pg_sleep(5)")
		return err
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("canceled InTx: %v does not match context.Canceled", err)
	}
}
