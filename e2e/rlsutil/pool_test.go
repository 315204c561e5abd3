package rlsutil

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/normkit/norm/pool"
	"github.com/normkit/norm/rlsutil"
)

// TestPoolAppliesContextTenant wires rlsutil.ApplyContext as
// pool.Config.OnBegin: every transaction begun through pool.DB with a
// tenant in ctx runs as that tenant, and statements made with the
// transaction's ctx (as a repository over the DB would make them) see only
// that tenant's rows — directly and through PgBouncer.
func TestPoolAppliesContextTenant(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for name, dsn := range map[string]string{"direct": f.db.DSN(), "pgbouncer": f.db.BouncerDSN(t)} {
		t.Run(name, func(t *testing.T) {
			ctx := ctxT(t)
			db, err := pool.Open(ctx, pool.Config{
				ConnString:    dsn,
				MaxConns:      2,
				QueryExecMode: pgx.QueryExecModeCacheDescribe,
				OnBegin:       rlsutil.ApplyContext,
			})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(db.Close)
			base := rlsutil.ContextWithSettings(ctx, rlsutil.Settings{Role: f.role})
			for tenant, n := range tenants {
				tctx := rlsutil.ContextWithTenant(base, tenant)
				err := db.InTx(tctx, func(ctx context.Context) error {
					var seen, other int
					err := db.QueryRow(ctx, "SELECT count(*), count(*) FILTER (WHERE tenant_id <> $1) FROM notes", tenant).Scan(&seen, &other)
					if err != nil {
						return err
					}
					if seen != n || other != 0 {
						t.Errorf("tenant %q through pool.DB sees %d rows (%d of others), want %d", tenant, seen, other, n)
					}
					return rlsutil.AssertTenant(ctx, db, tenant, f.role)
				})
				if err != nil {
					t.Fatalf("tenant %q: %v", tenant, err)
				}
			}
			// Without a tenant in ctx, OnBegin sets nothing and the role is
			// the login role: no tenant variable leaks from earlier ones.
			err = db.InTx(ctx, func(ctx context.Context) error {
				a, err := rlsutil.Current(ctx, db)
				if err != nil {
					return err
				}
				if a.Tenant != "" || a.Role != "postgres" {
					t.Errorf("transaction without settings runs as tenant %q role %q", a.Tenant, a.Role)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
