package rlsutil_test

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/normkit/norm/rlsutil"
)

// The DDL for a tenant-isolated table, ready for a migration file.
func ExampleTenantPolicy() {
	enable, _ := rlsutil.EnableRLS("notes")
	role, _ := rlsutil.AppRole{Name: "app_user", Tables: []string{"notes"}, GrantTo: []string{"service"}}.SQL()
	policy, _ := rlsutil.TenantPolicy{Table: "notes", ColumnType: "uuid", Roles: []string{"app_user"}}.SQL()
	for _, s := range append(append(enable, role...), policy) {
		fmt.Println(s + ";")
	}
	// Output:
	// ALTER TABLE "notes" ENABLE ROW LEVEL SECURITY;
	// ALTER TABLE "notes" FORCE ROW LEVEL SECURITY;
	// CREATE ROLE "app_user" NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
	// GRANT USAGE ON SCHEMA "public" TO "app_user";
	// GRANT SELECT, INSERT, UPDATE, DELETE ON "public"."notes" TO "app_user";
	// GRANT USAGE ON ALL SEQUENCES IN SCHEMA "public" TO "app_user";
	// GRANT "app_user" TO "service";
	// CREATE POLICY "notes_tenant_isolation" ON "notes" AS PERMISSIVE FOR ALL TO "app_user" USING ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid AND current_setting('rlsutil.tx', true) = pg_backend_pid()::text || ':' || (extract(epoch FROM transaction_timestamp()) * 1000000)::bigint::text) WITH CHECK ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::uuid AND current_setting('rlsutil.tx', true) = pg_backend_pid()::text || ':' || (extract(epoch FROM transaction_timestamp()) * 1000000)::bigint::text);
}

// One transaction for one tenant, under the application role.
func ExampleWithTenant() {
	ctx := context.Background()
	db, err := pgxpool.New(ctx, "postgres://service@localhost/app")
	if err != nil {
		return
	}
	defer db.Close()
	err = rlsutil.WithTenant(ctx, db, "3f0c…", "app_user", func(ctx context.Context, tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "UPDATE notes SET body = $1 WHERE id = $2", "new text", 42)
		return err // rows of other tenants are invisible here
	})
	if err != nil {
		fmt.Println(err)
	}
}

// The tenant travels in ctx (set once by HTTP middleware, say) and is
// applied to each transaction as it begins.
func ExampleBeginContext() {
	ctx := context.Background()
	db, err := pgxpool.New(ctx, "postgres://service@localhost/app")
	if err != nil {
		return
	}
	defer db.Close()
	ctx = rlsutil.ContextWithSettings(ctx, rlsutil.Settings{Role: "app_user"})
	ctx = rlsutil.ContextWithTenant(ctx, "3f0c…")
	tx, err := rlsutil.BeginContext(ctx, db)
	if err != nil {
		return
	}
	defer tx.Rollback(ctx)
	// … queries through tx see only this tenant's rows …
	_ = tx.Commit(ctx)
}
