package migrate_test

import (
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/normkit/norm/migrate/versioned"
)

// TestFilesLockTimeout: a reader holds a lock on the table; the ALTER of
// a transactional file gives up after LockTimeout with 55P03 and the
// version is not recorded.
func TestFilesLockTimeout(t *testing.T) {
	t.Parallel()
	ctx := filesCtx(t)
	db := cluster.NewDatabase(t)
	conn := db.Conn(t)
	if _, err := conn.Exec(ctx, "CREATE TABLE busy (id int)"); err != nil {
		t.Fatal(err)
	}
	reader := db.Conn(t)
	tx, err := reader.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "SELECT count(*) FROM busy"); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{"0001_alter.up.sql": "ALTER TABLE busy ADD COLUMN a int;"}
	mg := filesMigrator(t, conn, files, versioned.MigratorOptions{LockTimeout: 200 * time.Millisecond})
	start := time.Now()
	_, err = mg.Up(ctx)
	took := time.Since(start)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "55P03" {
		t.Fatalf("Up behind a reader = %v, want 55P03", err)
	}
	if took > 5*time.Second {
		t.Errorf("gave up after %s, want about the 200ms lock_timeout", took)
	}
	if got := filesRecorded(t, conn, "schema_migrations"); len(got) != 0 {
		t.Fatalf("history = %v, want empty", got)
	}
	// The setting was local to the migration's transaction.
	var setting string
	if err := conn.QueryRow(ctx, "SHOW lock_timeout").Scan(&setting); err != nil || setting != "0" {
		t.Fatalf("lock_timeout after the migration = %q, %v; want 0", setting, err)
	}
}

func TestFilesStatementTimeout(t *testing.T) {
	t.Parallel()
	ctx := filesCtx(t)
	db := cluster.NewDatabase(t)
	conn := db.Conn(t)
	files := map[string]string{"0001_slow.up.sql": "CREATE TABLE slow (id int);\nSELECT pg_sleep(5);"}
	_, err := filesMigrator(t, conn, files, versioned.MigratorOptions{StatementTimeout: 100 * time.Millisecond}).Up(ctx)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "57014" {
		t.Fatalf("Up = %v, want query_canceled (57014) from statement_timeout", err)
	}
	if filesExists(t, conn, "slow") {
		t.Fatal("the timed-out version was not rolled back")
	}
}

// TestFilesNoTransactionOnConn: a *pgx.Conn serves no-transaction files
// directly; afterwards its session settings and locks are back to normal.
func TestFilesNoTransactionOnConn(t *testing.T) {
	t.Parallel()
	ctx := filesCtx(t)
	db := cluster.NewDatabase(t)
	conn := db.Conn(t)
	files := map[string]string{
		"0001_t.up.sql":   "CREATE TABLE t (a int);",
		"0002_idx.up.sql": "-- norm:no-transaction\nSET statement_timeout = '1min';\nCREATE INDEX CONCURRENTLY t_a_idx ON t (a);",
	}
	res, err := filesMigrator(t, conn, files, versioned.MigratorOptions{}).Up(ctx)
	if err != nil || len(res) != 2 || !res[1].NoTransaction {
		t.Fatalf("Up = %+v, %v", res, err)
	}
	var lockTimeout, stmtTimeout string
	var locks int
	err = conn.QueryRow(ctx, "SELECT current_setting('lock_timeout'), current_setting('statement_timeout'), (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid())").
		Scan(&lockTimeout, &stmtTimeout, &locks)
	if err != nil || lockTimeout != "0" || stmtTimeout != "0" || locks != 0 {
		t.Fatalf("after the no-transaction file: lock_timeout=%q statement_timeout=%q advisory locks=%d (%v); want 0 0 0",
			lockTimeout, stmtTimeout, locks, err)
	}
}

func TestFilesStatusMissingVersion(t *testing.T) {
	t.Parallel()
	ctx := filesCtx(t)
	db := cluster.NewDatabase(t)
	pool := db.Pool(t)
	both := map[string]string{"0001_a.up.sql": "SELECT 1;", "0002_b.up.sql": "SELECT 2;"}
	filesUp(ctx, t, pool, both, versioned.MigratorOptions{})
	mg := filesMigrator(t, pool, map[string]string{"0001_a.up.sql": "SELECT 1;"}, versioned.MigratorOptions{})
	sts, err := mg.Status(ctx)
	if err != nil || len(sts) != 2 || sts[1].State != versioned.StateMissing || sts[1].Name != "b" || sts[1].AppliedAt.IsZero() {
		t.Fatalf("status = %+v, %v; want version 2 missing with its applied_at", sts, err)
	}
	if _, err := mg.Down(ctx, 1); !errors.Is(err, versioned.ErrUnknownVersion) {
		t.Fatalf("Down of a missing version = %v, want ErrUnknownVersion", err)
	}
}
