// Package sqlb runs statements built by the sqlb module against a real
// PostgreSQL server started by tools/pgtest.
package sqlb

import (
	"context"
	"errors"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/normkit/norm/sqlb"
	"github.com/normkit/norm/tools/pgtest"
)

var cluster *pgtest.Cluster

func TestMain(m *testing.M) {
	os.Exit(pgtest.RunMain(m, pgtest.Options{}, &cluster))
}

type statement interface {
	ToSQL() (string, []any, error)
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return c
}

// setup returns a connection to a fresh database with the given DDL run.
func setup(t *testing.T, ddl ...string) *pgx.Conn {
	t.Helper()
	t.Parallel()
	conn := cluster.NewDatabase(t).Conn(t)
	for _, d := range ddl {
		if _, err := conn.Exec(ctx(t), d); err != nil {
			t.Fatalf("%s: %v", d, err)
		}
	}
	return conn
}

func build(t *testing.T, s statement) (string, []any) {
	t.Helper()
	sql, args, err := s.ToSQL()
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	return sql, args
}

func exec(t *testing.T, conn *pgx.Conn, s statement) int64 {
	t.Helper()
	sql, args := build(t, s)
	tag, err := conn.Exec(ctx(t), sql, args...)
	if err != nil {
		t.Fatalf("%s %v: %v", sql, args, err)
	}
	return tag.RowsAffected()
}

// rows runs s and returns every row as a slice of values.
func rows(t *testing.T, conn *pgx.Conn, s statement) [][]any {
	t.Helper()
	sql, args := build(t, s)
	r, err := conn.Query(ctx(t), sql, args...)
	if err != nil {
		t.Fatalf("%s %v: %v", sql, args, err)
	}
	out, err := pgx.CollectRows(r, func(row pgx.CollectableRow) ([]any, error) { return row.Values() })
	if err != nil {
		t.Fatalf("%s %v: %v", sql, args, err)
	}
	return out
}

// col returns the first column of every row.
func col[T any](t *testing.T, conn *pgx.Conn, s statement) []T {
	t.Helper()
	sql, args := build(t, s)
	r, err := conn.Query(ctx(t), sql, args...)
	if err != nil {
		t.Fatalf("%s %v: %v", sql, args, err)
	}
	out, err := pgx.CollectRows(r, func(row pgx.CollectableRow) (T, error) {
		var v T
		vals := make([]any, len(row.FieldDescriptions()))
		vals[0] = &v
		for i := 1; i < len(vals); i++ {
			vals[i] = new(any)
		}
		return v, row.Scan(vals...)
	})
	if err != nil {
		t.Fatalf("%s %v: %v", sql, args, err)
	}
	return out
}

// runStruct executes a struct statement and scans its RETURNING columns
// back into v.
func runStruct(t *testing.T, conn *pgx.Conn, st sqlb.Statement, v any) int64 {
	t.Helper()
	sql, args := build(t, st)
	ret := st.Returning()
	if len(ret) == 0 {
		tag, err := conn.Exec(ctx(t), sql, args...)
		if err != nil {
			t.Fatalf("%s %v: %v", sql, args, err)
		}
		return tag.RowsAffected()
	}
	rv := reflect.ValueOf(v).Elem()
	dest := make([]any, len(ret))
	for i, f := range ret {
		dest[i] = rv.FieldByIndex(f.Index).Addr().Interface()
	}
	err := conn.QueryRow(ctx(t), sql, args...).Scan(dest...)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0
	}
	if err != nil {
		t.Fatalf("%s %v: %v", sql, args, err)
	}
	return 1
}

func equal(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got %#v\nwant %#v", what, got, want)
	}
}
