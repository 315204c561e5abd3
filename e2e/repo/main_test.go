package repo

import (
	"context"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/normkit/norm/tools/pgtest"
)

var cluster *pgtest.Cluster

func TestMain(m *testing.M) {
	os.Exit(pgtest.RunMain(m, pgtest.Options{PgBouncer: true}, &cluster))
}

func ctxT(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}

// setup returns a fresh database with ddl run, and a connection to it.
func setup(t *testing.T, ddl ...string) (*pgtest.Database, *pgx.Conn) {
	t.Helper()
	t.Parallel()
	db := cluster.NewDatabase(t)
	conn := db.Conn(t)
	for _, d := range ddl {
		if _, err := conn.Exec(ctxT(t), d); err != nil {
			t.Fatalf("%s: %v", d, err)
		}
	}
	return db, conn
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func equal(t testing.TB, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got %#v\nwant %#v", what, got, want)
	}
}

// scalar reads one value with plain pgx.
func scalar[V any](t testing.TB, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, sql string, args ...any) V {
	t.Helper()
	var v V
	if err := q.QueryRow(ctxT(t), sql, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return v
}
