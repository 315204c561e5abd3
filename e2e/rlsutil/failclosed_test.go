package rlsutil

import (
	"context"
	"fmt"
	"net/url"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/normkit/norm/pool"
	"github.com/normkit/norm/rlsutil"
)

// TestTenantCannotOutliveItsTransaction sets the tenant at session level
// through paths no text scan sees — a plpgsql helper, a DO block, a quoted
// "set_config", the helper inside a transaction — and then reads without a
// tenant, and as another tenant, through the same pooled connection. The
// policies rlsutil generates must show no row of the tenant that was set:
// a tenant applies only in the transaction that set it. Directly (primary
// and replica) and through PgBouncer.
func TestTenantCannotOutliveItsTransaction(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := ctxT(t)
	login := f.role + "_l"
	t.Cleanup(func() { dropRole(login) })
	admin := f.db.Conn(t)
	for _, s := range []string{
		fmt.Sprintf("CREATE ROLE %s LOGIN PASSWORD 'pw' IN ROLE %s", pgx.Identifier{login}.Sanitize(), pgx.Identifier{f.role}.Sanitize()),
		`CREATE FUNCTION set_tenant(t text) RETURNS void LANGUAGE plpgsql AS
		   $$ BEGIN PERFORM set_config('app.tenant_id', t, false); END $$`,
	} {
		if _, err := admin.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	if err := cluster.WaitReplay(ctx); err != nil {
		t.Fatal(err)
	}
	as := func(dsn string) string { // the same DSN, logged in as the non-owner role
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatal(err)
		}
		u.User = url.UserPassword(login, "pw")
		return u.String()
	}
	leaks := []struct {
		name string
		set  func(ctx context.Context, db *pool.DB) error
	}{
		{"plpgsql helper", func(ctx context.Context, db *pool.DB) error {
			_, err := db.Exec(ctx, "SELECT set_tenant('acme')")
			return err
		}},
		{"DO block", func(ctx context.Context, db *pool.DB) error {
			_, err := db.Exec(ctx, "DO $$ BEGIN PERFORM set_config('app.tenant_id', 'acme', false); END $$")
			return err
		}},
		{"quoted set_config", func(ctx context.Context, db *pool.DB) error {
			_, err := db.Exec(ctx, `SELECT "set_config"('app.tenant_id', 'acme', false)`)
			return err
		}},
		{"quoted set_config routed to the replica", func(ctx context.Context, db *pool.DB) error {
			var s string
			return db.QueryRow(ctx, `SELECT "set_config"('app.tenant_id', 'acme', false)`).Scan(&s)
		}},
		{"helper inside a transaction of another tenant", func(ctx context.Context, db *pool.DB) error {
			return db.InTx(rlsutil.ContextWithTenant(ctx, "initech"), func(ctx context.Context) error {
				_, err := db.Exec(ctx, "SELECT set_tenant('acme')")
				return err
			})
		}},
	}
	targets := []struct{ name, primary string }{{"direct", f.db.DSN()}, {"pgbouncer", f.db.BouncerDSN(t)}}
	for _, tg := range targets {
		for _, leak := range leaks {
			t.Run(tg.name+"/"+leak.name, func(t *testing.T) {
				ctx := ctxT(t)
				// One connection per server, so the next calls reuse the
				// connection the tenant was set on.
				db, err := pool.Open(ctx, pool.Config{
					ConnString: as(tg.primary), ReadOnlyConnString: as(f.db.ReplicaDSN(t)),
					MaxConns: 1, QueryExecMode: pgx.QueryExecModeCacheDescribe,
					OnBegin: rlsutil.ApplyContext, AllowStaleReads: true,
				})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(db.Close)
				if err := leak.set(ctx, db); err != nil {
					t.Fatalf("setting the tenant at session level: %v", err)
				}
				count := func(ctx context.Context, q interface {
					QueryRow(context.Context, string, ...any) pgx.Row
				}) int {
					var n int
					if err := q.QueryRow(ctx, "SELECT count(*) FROM notes WHERE tenant_id = 'acme'").Scan(&n); err != nil {
						t.Fatal(err)
					}
					return n
				}
				for i := range 3 { // primary and replica, whichever serves
					if n := count(ctx, db); n != 0 {
						t.Errorf("read %d with no tenant, outside a transaction: %d rows of acme", i, n)
					}
					if n := count(pool.UsePrimary(ctx), db); n != 0 {
						t.Errorf("read %d with no tenant on the primary: %d rows of acme", i, n)
					}
				}
				err = db.InTx(ctx, func(ctx context.Context) error {
					if n := count(ctx, db); n != 0 {
						t.Errorf("a transaction with no tenant: %d rows of acme", n)
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				err = db.InTx(rlsutil.ContextWithTenant(ctx, "globex"), func(ctx context.Context) error {
					if n := count(ctx, db); n != 0 {
						t.Errorf("tenant globex's transaction: %d rows of acme", n)
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

// TestPolicyDDLTakesOnlyTypeNames creates policies whose column types are
// the forms TenantPolicy accepts and checks they isolate on the server,
// and that a "type" that would continue the expression is refused before
// any SQL exists.
func TestPolicyDDLTakesOnlyTypeNames(t *testing.T) {
	t.Parallel()
	d := cluster.NewDatabase(t)
	ctx := ctxT(t)
	conn := d.Conn(t)
	if _, err := (rlsutil.TenantPolicy{Table: "docs", ColumnType: "text OR true"}).SQL(); err == nil {
		t.Fatal(`ColumnType "text OR true" was accepted`)
	}
	role := "p_" + fmt.Sprint(len(d.Name)) + "_" + d.Name[len(d.Name)-8:]
	t.Cleanup(func() { dropRole(role) })
	for _, s := range []string{
		"CREATE TABLE docs (id int PRIMARY KEY, tenant_id character varying(64) NOT NULL)",
		"INSERT INTO docs VALUES (1, 'a'), (2, 'b')",
		"CREATE ROLE " + pgx.Identifier{role}.Sanitize() + " NOLOGIN",
		"GRANT SELECT ON docs TO " + pgx.Identifier{role}.Sanitize(),
		"ALTER TABLE docs ENABLE ROW LEVEL SECURITY",
	} {
		if _, err := conn.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	policy, err := rlsutil.TenantPolicy{Table: "docs", ColumnType: "character varying(64)", Roles: []string{role}}.SQL()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, policy); err != nil {
		t.Fatalf("%s: %v", policy, err)
	}
	err = rlsutil.WithTenant(ctx, conn, "a", role, func(ctx context.Context, tx pgx.Tx) error {
		var ids []int
		rows, _ := tx.Query(ctx, "SELECT id FROM docs ORDER BY id")
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int])
		if err == nil && (len(ids) != 1 || ids[0] != 1) {
			t.Errorf("tenant a sees %v, want [1]", ids)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
