package pool

import (
	"context"
	"errors"
	"testing"

	normpool "github.com/normkit/norm/pool"
)

func TestSessionLevelStatementsRefusedOutsideTx(t *testing.T) {
	t.Parallel()
	d := cluster.NewDatabase(t)
	db := open(t, normpool.Config{ConnString: d.DSN()})
	ctx := testCtx(t)
	for _, sql := range []string{
		"SET search_path = elsewhere",
		"SET ROLE pg_monitor",
		"SELECT set_config('app.tenant', 'acme', false)",
		"SELECT pg_advisory_lock(7)",
		"LISTEN jobs",
		"CREATE TEMP TABLE scratch (id int)",
	} {
		_, err := db.Exec(ctx, sql)
		var se *normpool.SessionStateError
		if !errors.Is(err, normpool.ErrSessionState) || !errors.As(err, &se) || se.Instead == "" {
			t.Errorf("Exec(%q) = %v, want a SessionStateError saying what to use instead", sql, err)
		}
	}
	// Transaction-local forms pass.
	if _, err := db.Exec(ctx, "SELECT set_config('app.tenant', 'acme', true)"); err != nil {
		t.Errorf("transaction-local set_config refused: %v", err)
	}
}

func TestSessionStateNeverReachesTheNextUser(t *testing.T) {
	t.Parallel()
	d := cluster.NewDatabase(t)
	if _, err := d.Conn(t).Exec(testCtx(t), `CREATE ROLE hygiene_`+d.Name+` NOLOGIN`); err != nil {
		t.Fatal(err)
	}
	role := "hygiene_" + d.Name
	// One connection, so the next user is certainly on the same backend.
	db := open(t, normpool.Config{ConnString: d.DSN(), MaxConns: 1})
	ctx := testCtx(t)
	var pidIn uint32
	err := db.InTx(ctx, func(ctx context.Context) error {
		for _, sql := range []string{
			"SET search_path = elsewhere",
			"SET statement_timeout = '7s'",
			"SELECT set_config('app.tenant', 'acme', false)",
			`SET ROLE "` + role + `"`,
			"RESET ROLE",
			"CREATE TEMP TABLE scratch (id int)",
			"SELECT pg_advisory_lock(4242)",
			"LISTEN jobs",
		} {
			if _, err := db.Exec(ctx, sql); err != nil {
				return err
			}
		}
		if _, err := db.Exec(ctx, `SET ROLE "`+role+`"`); err != nil {
			return err
		}
		return db.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&pidIn)
	})
	if err != nil {
		t.Fatal(err)
	}
	var (
		pid                                uint32
		searchPath, timeout, tenant, whoAm string
		temp                               bool
		locks                              int
		listening                          int
	)
	err = db.QueryRow(ctx, `SELECT pg_backend_pid(), current_setting('search_path'), current_setting('statement_timeout'),
		coalesce(current_setting('app.tenant', true), ''), current_user::text,
		to_regclass('pg_temp.scratch') IS NOT NULL,
		(SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()),
		(SELECT count(*) FROM pg_listening_channels())`).
		Scan(&pid, &searchPath, &timeout, &tenant, &whoAm, &temp, &locks, &listening)
	if err != nil {
		t.Fatal(err)
	}
	if pid != pidIn {
		t.Fatalf("next user got backend %d, the transaction ran on %d: test proves nothing", pid, pidIn)
	}
	if searchPath != `"$user", public` || timeout != "0" || tenant != "" || whoAm == role || temp || locks != 0 || listening != 0 {
		t.Errorf("state leaked: search_path=%q statement_timeout=%q app.tenant=%q current_user=%q temp=%v advisory=%d listening=%d",
			searchPath, timeout, tenant, whoAm, temp, locks, listening)
	}
	// pgx's cached prepared statements survived the cleaning.
	var n int
	for i := range 3 {
		if err := db.QueryRow(ctx, "SELECT $1::int + 1", i).Scan(&n); err != nil || n != i+1 {
			t.Errorf("prepared statement after cleaning: %d %v", n, err)
		}
	}
}

func TestOrdinaryTransactionKeepsConnectionUntouched(t *testing.T) {
	t.Parallel()
	d := cluster.NewDatabase(t)
	db := open(t, normpool.Config{ConnString: d.DSN(), MaxConns: 1})
	ctx := testCtx(t)
	// A statement prepared before stays prepared: nothing reset the session.
	if _, err := db.Exec(ctx, "SELECT $1::int", 1); err != nil {
		t.Fatal(err)
	}
	var before, after int
	if err := db.QueryRow(ctx, "SELECT count(*) FROM pg_prepared_statements").Scan(&before); err != nil {
		t.Fatal(err)
	}
	if err := db.InTx(ctx, func(ctx context.Context) error {
		_, err := db.Exec(ctx, "SELECT 1")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(ctx, "SELECT count(*) FROM pg_prepared_statements").Scan(&after); err != nil {
		t.Fatal(err)
	}
	if before == 0 || after < before {
		t.Errorf("prepared statements: %d before, %d after an ordinary transaction", before, after)
	}
}
