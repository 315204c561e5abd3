package harness

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/normkit/norm/tools/pgtest"
)

func ctxT(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func connect(t *testing.T, dsn string, mode pgx.QueryExecMode) *pgx.Conn {
	t.Helper()
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DefaultQueryExecMode = mode
	conn, err := pgx.ConnectConfig(ctxT(t), cfg)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

func inRecovery(t *testing.T, conn *pgx.Conn) bool {
	t.Helper()
	var rec bool
	if err := conn.QueryRow(ctxT(t), "SELECT pg_is_in_recovery()").Scan(&rec); err != nil {
		t.Fatal(err)
	}
	return rec
}

func TestPrimaryAnswers(t *testing.T) {
	t.Parallel()
	db := cluster.NewDatabase(t)
	conn := db.Conn(t)
	var name string
	var num int
	if err := conn.QueryRow(ctxT(t), "SELECT current_database(), current_setting('server_version_num')::int").Scan(&name, &num); err != nil {
		t.Fatal(err)
	}
	if name != db.Name {
		t.Errorf("connected to %q, want the test's own database %q", name, db.Name)
	}
	if num < 130000 {
		t.Errorf("server_version_num = %d, want PostgreSQL 13 or later", num)
	}
	if inRecovery(t, conn) {
		t.Error("primary reports pg_is_in_recovery() = true")
	}
	var fsync string
	if err := conn.QueryRow(ctxT(t), "SHOW fsync").Scan(&fsync); err != nil {
		t.Fatal(err)
	}
	if cluster.Mode() == pgtest.ModeLocal && fsync != "off" {
		t.Errorf("fsync = %s, want off for a throwaway cluster", fsync)
	}
}

func TestReplicaReceivesWrites(t *testing.T) {
	t.Parallel()
	db := cluster.NewDatabase(t)
	primary := db.Conn(t)
	replica := connect(t, db.ReplicaDSN(t), pgx.QueryExecModeCacheStatement)
	ctx := ctxT(t)

	if !inRecovery(t, replica) {
		t.Fatal("replica reports pg_is_in_recovery() = false")
	}
	if _, err := primary.Exec(ctx, "CREATE TABLE notes (id int PRIMARY KEY, body text)"); err != nil {
		t.Fatal(err)
	}
	if _, err := primary.Exec(ctx, "INSERT INTO notes VALUES (1, $1)", "written on the primary"); err != nil {
		t.Fatal(err)
	}
	if err := cluster.WaitReplay(ctx); err != nil {
		t.Fatal(err)
	}
	var body string
	if err := replica.QueryRow(ctx, "SELECT body FROM notes WHERE id = 1").Scan(&body); err != nil {
		t.Fatalf("read on replica after WaitReplay: %v", err)
	}
	if body != "written on the primary" {
		t.Errorf("replica has body %q", body)
	}
	_, err := replica.Exec(ctx, "INSERT INTO notes VALUES (2, 'x')")
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "25006" {
		t.Errorf("write on replica: got %v, want SQLSTATE 25006 (read_only_sql_transaction)", err)
	}
}

func TestPgBouncerTransactionPooling(t *testing.T) {
	t.Parallel()
	db := cluster.NewDatabase(t)
	conn := connect(t, db.BouncerDSN(t), pgx.QueryExecModeCacheDescribe)
	ctx := ctxT(t)
	var name string
	var port *int32
	if err := conn.QueryRow(ctx, "SELECT current_database(), inet_server_port()").Scan(&name, &port); err != nil {
		t.Fatalf("query through PgBouncer: %v", err)
	}
	if name != db.Name {
		t.Errorf("through PgBouncer connected to %q, want %q", name, db.Name)
	}
	// PgBouncer reaches the server over its Unix socket, where
	// inet_server_port() is NULL; a direct TCP client sees the port.
	if port != nil {
		t.Errorf("inet_server_port() = %d through PgBouncer, want NULL (Unix socket from PgBouncer)", *port)
	}

	admin := connect(t, withDB(cluster.BouncerDSN(), "pgbouncer"), pgx.QueryExecModeSimpleProtocol)
	var poolMode string
	rows, err := admin.Query(ctx, "SHOW CONFIG")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(vals[0]) == "pool_mode" {
			poolMode = fmt.Sprint(vals[1])
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if poolMode != "transaction" {
		t.Errorf("PgBouncer pool_mode = %q, want transaction", poolMode)
	}
}

func withDB(dsn, db string) string {
	cfg, _ := pgx.ParseConfig(dsn)
	return fmt.Sprintf("postgres://%s:%s@%s:%d/%s?sslmode=disable", cfg.User, cfg.Password, cfg.Host, cfg.Port, db)
}

func TestParallelTestsGetSeparateDatabases(t *testing.T) {
	t.Parallel()
	names := make(chan string, 2)
	for _, marker := range []string{"first", "second"} {
		t.Run(marker, func(t *testing.T) {
			t.Parallel()
			db := cluster.NewDatabase(t)
			names <- db.Name
			conn := db.Conn(t)
			ctx := ctxT(t)
			if _, err := conn.Exec(ctx, "CREATE TABLE marker (v text)"); err != nil {
				t.Fatalf("same table name in both tests must not clash: %v", err)
			}
			if _, err := conn.Exec(ctx, "INSERT INTO marker VALUES ($1)", marker); err != nil {
				t.Fatal(err)
			}
			time.Sleep(50 * time.Millisecond) // let the sibling write too
			var got []string
			rows, _ := conn.Query(ctx, "SELECT v FROM marker")
			got, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0] != marker {
				t.Errorf("database holds %v, want only [%s]", got, marker)
			}
		})
	}
	t.Cleanup(func() {
		close(names)
		a, b := <-names, <-names
		if a == b || a == "" {
			t.Errorf("parallel tests got databases %q and %q, want two different ones", a, b)
		}
	})
}

func TestTemplateIsClonedAndDropped(t *testing.T) {
	t.Parallel()
	var name string
	t.Run("inner", func(t *testing.T) {
		name = cluster.NewDatabase(t).Name
	})
	conn := connect(t, cluster.DSN(), pgx.QueryExecModeCacheStatement)
	var n int
	if err := conn.QueryRow(ctxT(t), "SELECT count(*) FROM pg_database WHERE datname = $1", name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("database %s still exists after its test ended", name)
	}
}

func TestTerminateBackends(t *testing.T) {
	t.Parallel()
	db := cluster.NewDatabase(t)
	victim := db.Conn(t)
	ctx := ctxT(t)
	n, err := cluster.TerminateBackends(ctx, db.Name)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("terminated %d backends, want the 1 connected to %s", n, db.Name)
	}
	if err := victim.Ping(ctx); err == nil {
		t.Error("terminated connection still answers")
	}
}
