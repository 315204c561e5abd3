package harness

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/normkit/norm/tools/pgtest"
)

func serverPort(t *testing.T, conn *pgx.Conn) int {
	t.Helper()
	var port int
	if err := conn.QueryRow(ctxT(t), "SELECT inet_server_port()").Scan(&port); err != nil {
		t.Fatal(err)
	}
	return port
}

func count(t *testing.T, conn *pgx.Conn, table string) int {
	t.Helper()
	var n int
	if err := conn.QueryRow(ctxT(t), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// lossFixture is a database with an empty table t, a direct connection
// to it, and a proxy in front of its primary.
func lossFixture(t *testing.T) (*pgtest.Database, *pgx.Conn, *pgtest.Proxy) {
	t.Helper()
	db := cluster.NewDatabase(t)
	direct := db.Conn(t)
	if _, err := direct.Exec(ctxT(t), "CREATE TABLE t (v int)"); err != nil {
		t.Fatal(err)
	}
	return db, direct, cluster.NewProxy(t, pgtest.TargetPrimary)
}

func TestProxyPassesThrough(t *testing.T) {
	t.Parallel()
	db := cluster.NewDatabase(t)
	direct := db.Conn(t)
	p := cluster.NewProxy(t, pgtest.TargetPrimary)
	if got, want := p.Addr(), "127.0.0.1:"+strconv.Itoa(p.Port()); got != want {
		t.Errorf("Addr() = %q, want %q", got, want)
	}
	via := connect(t, db.DSNVia(p), pgx.QueryExecModeCacheStatement)
	if got, want := serverPort(t, via), serverPort(t, direct); got != want {
		t.Errorf("through the proxy the server port is %d, want the primary's %d", got, want)
	}
	var name string
	if err := via.QueryRow(ctxT(t), "SELECT current_database()").Scan(&name); err != nil || name != db.Name {
		t.Fatalf("through the proxy: database %q (err %v), want %q", name, err, db.Name)
	}
	// A large result crosses the proxy in many chunks.
	var sum int64
	if err := via.QueryRow(ctxT(t), "SELECT sum(length(repeat('x', g))) FROM generate_series(1, 2000) g").Scan(&sum); err != nil || sum != 2001000 {
		t.Fatalf("sum through the proxy = %d (err %v)", sum, err)
	}
	rows, err := via.Query(ctxT(t), "SELECT repeat('y', 1000) FROM generate_series(1, 500)")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		n++
	}
	if rows.Err() != nil || n != 500 {
		t.Fatalf("rows through the proxy: %d (err %v), want 500", n, rows.Err())
	}

	replica := connect(t, db.DSNVia(cluster.NewProxy(t, pgtest.TargetReplica)), pgx.QueryExecModeCacheStatement)
	if !inRecovery(t, replica) {
		t.Error("a proxy to the replica reached a server not in recovery")
	}
	bouncerProxy := cluster.NewProxy(t, pgtest.TargetPgBouncer)
	bouncer := connect(t, db.DSNVia(bouncerProxy), pgx.QueryExecModeSimpleProtocol)
	if err := bouncer.QueryRow(ctxT(t), "SELECT current_database()").Scan(&name); err != nil || name != db.Name {
		t.Fatalf("through the proxy to PgBouncer: database %q (err %v), want %q", name, err, db.Name)
	}
	// PgBouncer's admin console answers only PgBouncer.
	admin := connect(t, db.DSNVia(bouncerProxy)+"&dbname=pgbouncer", pgx.QueryExecModeSimpleProtocol)
	if _, err := admin.Exec(ctxT(t), "SHOW POOLS"); err != nil {
		t.Errorf("SHOW POOLS through the proxy to PgBouncer: %v", err)
	}

	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := via.Ping(ctxT(t)); err == nil {
		t.Error("a connection through a closed proxy still answers")
	}
}

func TestProxyLatency(t *testing.T) {
	t.Parallel()
	db := cluster.NewDatabase(t)
	p := cluster.NewProxy(t, pgtest.TargetPrimary)
	conn := connect(t, db.DSNVia(p), pgx.QueryExecModeCacheStatement)
	const d = 100 * time.Millisecond
	p.Latency(d)
	start := time.Now()
	if err := conn.Ping(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	// The request and the reply are each delayed by d.
	if took := time.Since(start); took < 2*d {
		t.Errorf("a round trip with %v latency took %v, want at least %v", d, took, 2*d)
	}
	p.Pass()
	if err := conn.Ping(ctxT(t)); err != nil {
		t.Fatalf("after Pass: %v", err)
	}
}

func TestProxyBlackhole(t *testing.T) {
	t.Parallel()
	db := cluster.NewDatabase(t)
	direct := db.Conn(t)
	p := cluster.NewProxy(t, pgtest.TargetPrimary)
	open := connect(t, db.DSNVia(p), pgx.QueryExecModeCacheStatement)
	p.Blackhole()

	short, cancel := context.WithTimeout(ctxT(t), 300*time.Millisecond)
	defer cancel()
	var one int
	err := open.QueryRow(short, "SELECT 1").Scan(&one)
	if err == nil {
		t.Fatal("a query through the black hole answered")
	}
	if !errors.Is(err, context.DeadlineExceeded) && !pgconn.Timeout(err) {
		t.Errorf("query through the black hole: %v, want a timeout", err)
	}
	if err := direct.QueryRow(ctxT(t), "SELECT 1").Scan(&one); err != nil {
		t.Fatalf("direct connection during the black hole: %v", err)
	}
	short2, cancel2 := context.WithTimeout(ctxT(t), 300*time.Millisecond)
	defer cancel2()
	if c, err := pgx.Connect(short2, db.DSNVia(p)); err == nil {
		c.Close(ctxT(t))
		t.Fatal("a new connection through the black hole succeeded")
	}

	p.Pass()
	after := connect(t, db.DSNVia(p), pgx.QueryExecModeCacheStatement)
	if err := after.QueryRow(ctxT(t), "SELECT 1").Scan(&one); err != nil {
		t.Fatalf("after Pass: %v", err)
	}
}

func TestProxyReset(t *testing.T) {
	t.Parallel()
	db := cluster.NewDatabase(t)
	p := cluster.NewProxy(t, pgtest.TargetPrimary)
	open := connect(t, db.DSNVia(p), pgx.QueryExecModeCacheStatement)
	if err := open.Ping(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	p.Reset()
	if err := open.Ping(ctxT(t)); err == nil {
		t.Fatal("an open connection answers after Reset")
	}
	if c, err := pgx.Connect(ctxT(t), db.DSNVia(p)); err == nil {
		c.Close(ctxT(t))
		t.Fatal("a new connection succeeded while Reset is in force")
	}
	p.Pass()
	after := connect(t, db.DSNVia(p), pgx.QueryExecModeCacheStatement)
	if err := after.Ping(ctxT(t)); err != nil {
		t.Fatalf("after Pass: %v", err)
	}
}

// TestProxyLoseReply is the key property: the client gets an error, but
// the server ran and committed the statement.
func TestProxyLoseReply(t *testing.T) {
	t.Parallel()
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeCacheStatement, pgx.QueryExecModeExec, pgx.QueryExecModeSimpleProtocol} {
		t.Run(mode.String(), func(t *testing.T) {
			t.Parallel()
			db, direct, p := lossFixture(t)
			conn := connect(t, db.DSNVia(p), mode)
			p.LoseReply()
			_, err := conn.Exec(ctxT(t), "INSERT INTO t VALUES ($1)", 1)
			if err == nil {
				t.Fatal("INSERT through LoseReply succeeded")
			}
			// pgx v5.12's simple protocol path (MultiResultReader)
			// drops the read error and reports the broken connection as
			// "conn closed", which SafeToRetry calls safe: a retry
			// layer must not trust SafeToRetry alone there.
			if mode != pgx.QueryExecModeSimpleProtocol && pgconn.SafeToRetry(err) {
				t.Errorf("the lost reply's error is marked safe to retry: %v", err)
			}
			if n := count(t, direct, "t"); n != 1 {
				t.Fatalf("after the lost reply the table has %d rows, want 1 (committed)", n)
			}
			if !conn.IsClosed() {
				if err := conn.Ping(ctxT(t)); err == nil {
					t.Error("the connection whose reply was lost still answers")
				}
			}
			// LoseReply stays armed: a retry on a new connection loses too.
			retry := connect(t, db.DSNVia(p), mode)
			if _, err := retry.Exec(ctxT(t), "INSERT INTO t VALUES ($1)", 2); err == nil {
				t.Fatal("a retry while LoseReply is armed succeeded")
			}
			if n := count(t, direct, "t"); n != 2 {
				t.Fatalf("after the second lost reply the table has %d rows, want 2", n)
			}
			p.Pass()
			last := connect(t, db.DSNVia(p), mode)
			if _, err := last.Exec(ctxT(t), "INSERT INTO t VALUES ($1)", 3); err != nil {
				t.Fatalf("after Pass: %v", err)
			}
		})
	}
}

func TestProxyLoseNextReply(t *testing.T) {
	t.Parallel()
	db, direct, p := lossFixture(t)
	first := connect(t, db.DSNVia(p), pgx.QueryExecModeCacheStatement)
	p.LoseNextReply()
	if _, err := first.Exec(ctxT(t), "INSERT INTO t VALUES ($1)", 1); err == nil {
		t.Fatal("the first INSERT after LoseNextReply succeeded")
	}
	retry := connect(t, db.DSNVia(p), pgx.QueryExecModeCacheStatement)
	for i := range 3 {
		if _, err := retry.Exec(ctxT(t), "INSERT INTO t VALUES ($1)", 2+i); err != nil {
			t.Fatalf("INSERT %d after the one lost reply: %v", i+2, err)
		}
	}
	if n := count(t, direct, "t"); n != 4 {
		t.Fatalf("the table has %d rows, want 4 (the lost one committed too)", n)
	}
}

// TestProxyLoseCommitReply loses the reply of a COMMIT: the transaction
// is committed, the client cannot know.
func TestProxyLoseCommitReply(t *testing.T) {
	t.Parallel()
	db, direct, p := lossFixture(t)
	conn := connect(t, db.DSNVia(p), pgx.QueryExecModeCacheStatement)
	tx, err := conn.Begin(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctxT(t), "INSERT INTO t VALUES ($1)", 1); err != nil {
		t.Fatal(err)
	}
	p.LoseNextReply()
	if err := tx.Commit(ctxT(t)); err == nil {
		t.Fatal("COMMIT whose reply was lost succeeded")
	}
	if n := count(t, direct, "t"); n != 1 {
		t.Fatalf("after the lost COMMIT reply the table has %d rows, want 1", n)
	}
}

// TestProxyLoseReplyAfterSSLRequest: with sslmode=prefer pgx asks for
// TLS first; the test server refuses ('N'), pgx connects again in plain
// text, and the proxy still frames the replies right. (libpq-style
// clients that go on in the same connection after 'N' are covered by the
// fake-server test in tools/pgtest.)
func TestProxyLoseReplyAfterSSLRequest(t *testing.T) {
	t.Parallel()
	db, direct, p := lossFixture(t)
	dsn := strings.Replace(db.DSNVia(p), "sslmode=disable", "sslmode=prefer", 1)
	if !strings.Contains(dsn, "sslmode=prefer") {
		t.Fatalf("DSN %q has no sslmode to change", dsn)
	}
	conn := connect(t, dsn, pgx.QueryExecModeCacheStatement)
	p.LoseReply()
	if _, err := conn.Exec(ctxT(t), "INSERT INTO t VALUES ($1)", 1); err == nil {
		t.Fatal("INSERT through LoseReply succeeded")
	}
	if n := count(t, direct, "t"); n != 1 {
		t.Fatalf("after the lost reply the table has %d rows, want 1", n)
	}
}
