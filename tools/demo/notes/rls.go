package notes

import (
	"fmt"

	"github.com/normkit/norm/rlsutil"
)

// AppRole is the non-owner role every tenant request runs as. It is
// neither superuser nor owner and has no BYPASSRLS, so the policies apply.
const AppRole = "notes_app"

// tenantTables are the tables isolated by tenant_id.
var tenantTables = []string{"users", "notes", "comments"}

// TenantIsolationSQL returns the statements of the tenant-isolation
// migration as rlsutil generates them: RLS enabled and forced on every
// tenant table, the application role, and one policy per table.
// migrations/0001_tenant_isolation.up.sql holds exactly these statements.
func TenantIsolationSQL() ([]string, error) {
	var stmts []string
	for _, t := range tenantTables {
		enable, err := rlsutil.EnableRLS(t)
		if err != nil {
			return nil, fmt.Errorf("notes: enable RLS on %s: %w", t, err)
		}
		stmts = append(stmts, enable...)
	}
	role, err := rlsutil.AppRole{Name: AppRole, Tables: tenantTables}.SQL()
	if err != nil {
		return nil, fmt.Errorf("notes: app role: %w", err)
	}
	stmts = append(stmts, role...)
	for _, t := range tenantTables {
		policy, err := rlsutil.TenantPolicy{Table: t, ColumnType: "bigint", Roles: []string{AppRole}}.SQL()
		if err != nil {
			return nil, fmt.Errorf("notes: policy on %s: %w", t, err)
		}
		stmts = append(stmts, policy)
	}
	return stmts, nil
}
