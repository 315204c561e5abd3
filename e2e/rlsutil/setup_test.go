package rlsutil

import (
	"context"
	"fmt"
	"hash/fnv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/normkit/norm/rlsutil"
	"github.com/normkit/norm/tools/pgtest"
)

// tenants and how many notes each owns in a fresh fixture.
var tenants = map[string]int{"acme": 3, "globex": 5, "initech": 1, "umbrella": 4, "'; DROP TABLE notes; --": 2}

type fixture struct {
	db   *pgtest.Database
	role string // the non-owner application role
}

func ctxT(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// newFixture makes a database with a notes table under a tenant policy
// produced by rlsutil's DDL helpers, an application role made by AppRole,
// and the notes of every tenant (inserted by the superuser, who bypasses
// RLS).
func newFixture(t *testing.T) fixture {
	t.Helper()
	ctx := ctxT(t)
	var f fixture
	t.Cleanup(func() { dropRole(f.role) }) // runs after the database is dropped
	f.db = cluster.NewDatabase(t)
	h := fnv.New64a()
	h.Write([]byte(f.db.Name))
	f.role = fmt.Sprintf("app_%x", h.Sum64()) // database names are near the 63-byte limit
	conn := f.db.Conn(t)
	stmts := []string{"CREATE TABLE notes (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, tenant_id text NOT NULL, body text NOT NULL)"}
	enable, err := rlsutil.EnableRLS("notes")
	if err != nil {
		t.Fatal(err)
	}
	policy, err := rlsutil.TenantPolicy{Table: "notes", Roles: []string{f.role}}.SQL()
	if err != nil {
		t.Fatal(err)
	}
	role, err := rlsutil.AppRole{Name: f.role, Tables: []string{"notes"}}.SQL()
	if err != nil {
		t.Fatal(err)
	}
	stmts = append(append(append(stmts, enable...), role...), policy)
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	for tenant, n := range tenants {
		if _, err := conn.Exec(ctx, "INSERT INTO notes (tenant_id, body) SELECT $1, 'note ' || g FROM generate_series(1, $2) g", tenant, n); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func dropRole(role string) {
	if role == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, cluster.DSN())
	if err != nil {
		return
	}
	defer conn.Close(ctx)
	_, _ = conn.Exec(ctx, "DROP ROLE IF EXISTS "+pgx.Identifier{role}.Sanitize())
}

// tenantsSeen returns the tenant of every row the transaction can see.
func tenantsSeen(ctx context.Context, t *testing.T, tx pgx.Tx) []string {
	t.Helper()
	rows, _ := tx.Query(ctx, "SELECT tenant_id FROM notes ORDER BY id")
	seen, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("read notes: %v", err)
	}
	return seen
}

func newPool(t *testing.T, dsn string, maxConns int32, mode pgx.QueryExecMode) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = maxConns
	cfg.ConnConfig.DefaultQueryExecMode = mode
	p, err := pgxpool.NewWithConfig(ctxT(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}
