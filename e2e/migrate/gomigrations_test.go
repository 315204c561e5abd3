package migrate_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/normkit/norm/migrate/versioned"
)

func TestFilesGoMigrationsInterleaved(t *testing.T) {
	t.Parallel()
	ctx := filesCtx(t)
	db := cluster.NewDatabase(t)
	pool := db.Pool(t)
	files := map[string]string{
		"0001_accounts.up.sql":   "CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL);",
		"0001_accounts.down.sql": "DROP TABLE accounts;",
		"0003_limit.up.sql":      "ALTER TABLE accounts ADD COLUMN credit_limit int NOT NULL DEFAULT 0;",
		"0003_limit.down.sql":    "ALTER TABLE accounts DROP COLUMN credit_limit;",
	}
	mg := filesMigrator(t, pool, files, versioned.MigratorOptions{AllowDestructiveDown: true})
	seed := func(ctx context.Context, tx pgx.Tx) error {
		// Runs after 0001 and before 0003: the column of 0003 is not there yet.
		var cols int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'accounts'").Scan(&cols); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "INSERT INTO accounts VALUES (1, $1)", cols)
		return err
	}
	unseed := func(ctx context.Context, tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "UPDATE accounts SET balance = -1")
		return err
	}
	if err := mg.AddGo(2, "seed", seed, unseed); err != nil {
		t.Fatal(err)
	}
	if err := mg.AddGo(1, "clash", seed, nil); err == nil {
		t.Fatal("AddGo accepted a version used by a file")
	}
	res, err := mg.Up(ctx)
	if err != nil || !slices.Equal(filesVersions(res), []string{"up:1", "up:2", "up:3"}) {
		t.Fatalf("Up = %v, %v", filesVersions(res), err)
	}
	if res[1].Source != "go migration 2_seed" {
		t.Errorf("source of the Go migration = %q", res[1].Source)
	}
	var balance int
	if err := pool.QueryRow(ctx, "SELECT balance FROM accounts WHERE id = 1").Scan(&balance); err != nil || balance != 2 {
		t.Fatalf("balance = %d, %v; want 2 (the Go migration ran between the files)", balance, err)
	}
	if got := filesRecorded(t, pool, "schema_migrations"); !slices.Equal(got, []string{"sql:1", "go:2", "sql:3"}) {
		t.Fatalf("history = %v", got)
	}
	down, err := mg.Down(ctx, 2)
	if err != nil || !slices.Equal(filesVersions(down), []string{"down:3", "down:2"}) {
		t.Fatalf("Down(2) = %v, %v", filesVersions(down), err)
	}
	if err := pool.QueryRow(ctx, "SELECT balance FROM accounts WHERE id = 1").Scan(&balance); err != nil || balance != -1 {
		t.Fatalf("balance after the Go down = %d, %v; want -1", balance, err)
	}
}

func TestFilesGoMigrationFailureRollsBack(t *testing.T) {
	t.Parallel()
	ctx := filesCtx(t)
	db := cluster.NewDatabase(t)
	conn := db.Conn(t)
	mg := filesMigrator(t, conn, map[string]string{"0001_t.up.sql": "CREATE TABLE t (id int);"}, versioned.MigratorOptions{})
	boom := errors.New("boom")
	err := mg.AddGo(2, "half", func(ctx context.Context, tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO t VALUES (1)"); err != nil {
			return err
		}
		return boom
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = mg.Up(ctx)
	var me *versioned.MigrationError
	if !errors.Is(err, boom) || !errors.As(err, &me) || me.Version != 2 || me.Source != "go migration 2_half" {
		t.Fatalf("Up = %v, want the Go error wrapped in a MigrationError for version 2", err)
	}
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM t").Scan(&n); err != nil || n != 0 {
		t.Fatalf("rows = %d, %v; want the insert rolled back", n, err)
	}
	if got := filesRecorded(t, conn, "schema_migrations"); !slices.Equal(got, []string{"sql:1"}) {
		t.Fatalf("history = %v, want sql:1", got)
	}
}
