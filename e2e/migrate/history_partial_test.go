package migrate_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/normkit/norm/migrate"
)

type histV1 struct {
	ID   int64  `db:"id" norm:"pk,auto_increment"`
	Code string `db:"code"`
}

func (histV1) TableName() string { return "hist_items" }

// histIndexed adds a column (in the transaction) and an index on code
// (built CONCURRENTLY after the commit).
type histIndexed struct {
	ID   int64   `db:"id" norm:"pk,auto_increment"`
	Code string  `db:"code" norm:"index"`
	Note *string `db:"note"`
}

func (histIndexed) TableName() string { return "hist_items" }

// histUnique adds a column and a unique constraint on code (a concurrent
// unique build, then ADD CONSTRAINT … USING INDEX).
type histUnique struct {
	ID   int64   `db:"id" norm:"pk,auto_increment"`
	Code string  `db:"code" norm:"unique"`
	Note *string `db:"note"`
}

func (histUnique) TableName() string { return "hist_items" }

// histAux gets an index built CONCURRENTLY before hist_items' steps
// (its table sorts first), which succeeds when hist_items' build fails.
type histAux struct {
	ID   int64  `db:"id" norm:"pk,auto_increment"`
	Code string `db:"code" norm:"index"`
}

func (histAux) TableName() string { return "hist_aux" }

// TestHistoryAfterPartialApply: when a step that runs after the commit
// (CREATE INDEX CONCURRENTLY) fails — the server terminates the build, or
// a unique build meets duplicates — the history records what ran (the
// transactional part, the post-commit steps that succeeded) and not the
// failed step, which leaves an INVALID index. The next Apply drops that
// index, builds it again and records it; the re-plan is then empty.
func TestHistoryAfterPartialApply(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		models  []any
		index   string   // the index whose build fails
		claimed []string // what the history must record after the failure
		// setup runs before the first Apply and returns the repair to run
		// before the second; during, if set, runs while the first Apply does.
		setup  func(ctx context.Context, t *testing.T, conn *pgx.Conn, dsn string) (repair func())
		during func(ctx context.Context, t *testing.T, conn *pgx.Conn)
	}{
		{
			name: "build terminated by the server", models: []any{histIndexed{}}, index: "hist_items_code_idx",
			claimed: []string{`ADD COLUMN "note"`},
			setup:   holdSnapshot, during: terminateBuild,
		},
		{
			name: "unique build over duplicates", models: []any{histAux{}, histUnique{}}, index: "hist_items_code_key",
			claimed: []string{`ADD COLUMN "note"`, `CREATE INDEX CONCURRENTLY "hist_aux_code_idx"`},
			setup: func(ctx context.Context, t *testing.T, conn *pgx.Conn, _ string) func() {
				t.Helper()
				if _, err := conn.Exec(ctx, "INSERT INTO hist_items (code) VALUES ('dup'), ('dup')"); err != nil {
					t.Fatal(err)
				}
				return func() {
					if _, err := conn.Exec(ctx, "DELETE FROM hist_items WHERE code = 'dup'"); err != nil {
						t.Fatal(err)
					}
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := cluster.NewDatabase(t)
			conn := db.Conn(t)
			ctx := ctxT(t)
			if _, err := newAuto(t, conn, []any{histAux{}, histV1{}}, migrate.AutoOptions{}).Apply(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := conn.Exec(ctx, `DROP INDEX hist_aux_code_idx;
				INSERT INTO hist_items (code) SELECT 'c' || g FROM generate_series(1, 1000) g;
				INSERT INTO hist_aux (code) SELECT 'c' || g FROM generate_series(1, 10) g`); err != nil {
				t.Fatal(err)
			}
			online := migrate.AutoOptions{PlanOptions: migrate.PlanOptions{Online: true}}
			repair := tc.setup(ctx, t, conn, db.DSN())
			applied := make(chan error, 1)
			pool := db.Pool(t)
			go func() {
				_, err := newAuto(t, pool, tc.models, online).Apply(ctx)
				applied <- err
			}()
			if tc.during != nil {
				tc.during(ctx, t, conn)
			}
			err := <-applied
			if err == nil || !strings.Contains(err.Error(), tc.index) {
				t.Fatalf("first apply: %v, want the failed build of %s named", err, tc.index)
			}
			if valid := indexValid(ctx, t, conn, tc.index); valid == nil || *valid {
				t.Fatalf("after the failed build: index %s valid=%v, want an INVALID index left behind", tc.index, valid)
			}
			history := historySQL(ctx, t, conn)
			for _, sql := range history {
				if strings.Contains(sql, tc.index) {
					t.Errorf("history claims a step that failed: %s\nhistory:\n%s", sql, strings.Join(history, "\n"))
				}
			}
			for _, want := range tc.claimed {
				if !containsAny(history, want) {
					t.Errorf("history lacks %q, which ran:\n%s", want, strings.Join(history, "\n"))
				}
			}
			repair()
			a := newAuto(t, conn, tc.models, online)
			if _, err := a.Apply(ctx); err != nil {
				t.Fatalf("apply after the failure: %v", err)
			}
			if valid := indexValid(ctx, t, conn, tc.index); valid == nil || !*valid {
				t.Fatalf("after the second apply: index %s valid=%v, want valid", tc.index, valid)
			}
			if history := historySQL(ctx, t, conn); !containsAny(history, `CONCURRENTLY "`+tc.index+`"`) {
				t.Errorf("history lacks the rebuilt %s:\n%s", tc.index, strings.Join(history, "\n"))
			}
			if p := mustPlan(t, a); !p.Empty() {
				t.Errorf("plan after the repair is not empty:\n%s", p.Text())
			}
		})
	}
}

// holdSnapshot opens a REPEATABLE READ transaction holding a snapshot on
// another connection: a concurrent index build waits for it to end. The
// repair ends it.
func holdSnapshot(ctx context.Context, t *testing.T, _ *pgx.Conn, dsn string) func() {
	t.Helper()
	old, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = old.Close(context.Background()) })
	tx, err := old.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "SELECT 1"); err != nil {
		t.Fatal(err)
	}
	return func() {
		if err := tx.Rollback(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

// terminateBuild waits until a CREATE INDEX CONCURRENTLY waits for a lock
// (the older transaction) and terminates its backend.
func terminateBuild(ctx context.Context, t *testing.T, conn *pgx.Conn) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		var killed bool
		err := conn.QueryRow(ctx, `SELECT coalesce(bool_or(pg_terminate_backend(pid)), false) FROM pg_stat_activity
			WHERE datname = current_database() AND query LIKE 'CREATE INDEX CONCURRENTLY%' AND wait_event_type = 'Lock'`).Scan(&killed)
		if err != nil {
			t.Fatal(err)
		}
		if killed {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the concurrent build never waited for the open transaction")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// indexValid returns pg_index.indisvalid of the index, or nil without one.
func indexValid(ctx context.Context, t *testing.T, conn *pgx.Conn, name string) *bool {
	t.Helper()
	var valid bool
	err := conn.QueryRow(ctx, "SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass($1)", name).Scan(&valid)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return &valid
}

// historySQL lists the SQL of every step in the auto-migration history.
func historySQL(ctx context.Context, t *testing.T, conn *pgx.Conn) []string {
	t.Helper()
	rows, err := conn.Query(ctx, "SELECT s->>'sql' FROM norm_auto_migrations, jsonb_array_elements(plan->'steps') s ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	sqls, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return sqls
}

func containsAny(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
