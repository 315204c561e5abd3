package rlsutil

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/normkit/norm/rlsutil"
)

const (
	leakWorkers = 50
	leakTxs     = 200
)

// TestNoLeakBetweenTenants runs 50 goroutines × 200 transactions with
// random tenants over a pool of 4 connections, directly and through
// PgBouncer in transaction pooling mode; every transaction checks that it
// saw exactly its tenant's rows.
func TestNoLeakBetweenTenants(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	paths := map[string]*pgxpool.Pool{
		"direct":    newPool(t, f.db.DSN(), 4, pgx.QueryExecModeCacheStatement),
		"pgbouncer": newPool(t, f.db.BouncerDSN(t), 4, pgx.QueryExecModeCacheDescribe),
	}
	for name, p := range paths {
		t.Run(name, func(t *testing.T) {
			leaks, done := storm(t, p, f.role)
			if leaks != 0 {
				t.Errorf("%d of %d transactions saw rows of another tenant", leaks, done)
			}
			if done != leakWorkers*leakTxs {
				t.Errorf("%d transactions completed, want %d", done, leakWorkers*leakTxs)
			}
			assertPooledConnsClean(t, p)
		})
	}
}

func storm(t *testing.T, p *pgxpool.Pool, role string) (leaks, done int64) {
	ctx := ctxT(t)
	names := make([]string, 0, len(tenants))
	for k := range tenants {
		names = append(names, k)
	}
	var leaked, completed atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, leakWorkers)
	for w := 0; w < leakWorkers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < leakTxs; i++ {
				tenant := names[rand.IntN(len(names))]
				err := rlsutil.WithTenant(ctx, p, tenant, role, func(ctx context.Context, tx pgx.Tx) error {
					rows, _ := tx.Query(ctx, "SELECT tenant_id FROM notes")
					seen, err := pgx.CollectRows(rows, pgx.RowTo[string])
					if err != nil {
						return err
					}
					bad := len(seen) != tenants[tenant]
					for _, s := range seen {
						bad = bad || s != tenant
					}
					if bad {
						leaked.Add(1)
					}
					return nil
				})
				if err != nil {
					errs <- fmt.Errorf("tenant %q: %w", tenant, err)
					return
				}
				completed.Add(1)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	return leaked.Load(), completed.Load()
}

// assertPooledConnsClean checks every idle connection of the pool: outside
// a transaction no tenant and no role remain.
func assertPooledConnsClean(t *testing.T, p *pgxpool.Pool) {
	ctx := ctxT(t)
	conns := make([]*pgxpool.Conn, 0, 4)
	defer func() {
		for _, c := range conns {
			c.Release()
		}
	}()
	for i := 0; i < int(p.Stat().TotalConns()); i++ {
		c, err := p.Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		var tenant *string
		var user string
		if err := c.QueryRow(ctx, "SELECT current_setting($1, true), current_user::text", rlsutil.TenantSetting).Scan(&tenant, &user); err != nil {
			t.Fatal(err)
		}
		if tenant != nil && *tenant != "" || user != "postgres" {
			t.Errorf("pooled connection outside a transaction: tenant %v, role %q; want none and the login role", tenant, user)
		}
	}
}

// TestSessionLevelSetLeaks is the control experiment: the plain SET that
// rlsutil replaces does carry a tenant over to the next user of a pooled
// connection. Without it the leak test above could pass vacuously.
func TestSessionLevelSetLeaks(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	p := newPool(t, f.db.DSN(), 1, pgx.QueryExecModeCacheStatement)
	ctx := ctxT(t)
	if _, err := p.Exec(ctx, "SET app.tenant_id = 'acme'"); err != nil {
		t.Fatal(err)
	}
	var next string
	if err := p.QueryRow(ctx, "SELECT current_setting('app.tenant_id', true)").Scan(&next); err != nil {
		t.Fatal(err)
	}
	if next != "acme" {
		t.Fatalf("control failed: the next user saw %q, expected the leaked 'acme'", next)
	}
}
