package rlsutil

import (
	"context"
	"errors"
	"fmt"
)

// ErrWrongTenant is returned by AssertTenant when the transaction does not
// run as the expected tenant or role.
var ErrWrongTenant = errors.New("rlsutil: transaction runs with unexpected tenant or role")

// Active is what a transaction currently runs as.
type Active struct {
	// Tenant is TenantSetting's value; "" when unset.
	Tenant string
	// Role is current_user: the role privileges and policies are checked
	// against.
	Role string
}

// Current reads what q's transaction runs as, in one round trip.
func Current(ctx context.Context, q Querier) (Active, error) {
	var a Active
	err := q.QueryRow(ctx, "SELECT coalesce(current_setting($1, true), ''), current_user::text", TenantSetting).Scan(&a.Tenant, &a.Role)
	if err != nil {
		return Active{}, fmt.Errorf("rlsutil: read active tenant and role: %w", err)
	}
	return a, nil
}

// AssertTenant returns an error wrapping ErrWrongTenant unless q's
// transaction runs with TenantSetting = tenant and, when role is not
// empty, as role. It is a defensive check for code paths that must never
// run for another tenant. The error names the roles but not the tenant
// ids, which may be personal data.
func AssertTenant(ctx context.Context, q Querier, tenant, role string) error {
	a, err := Current(ctx, q)
	if err != nil {
		return err
	}
	switch {
	case a.Tenant != tenant:
		return fmt.Errorf("%w: tenant differs (tenant set: %t)", ErrWrongTenant, a.Tenant != "")
	case role != "" && a.Role != role:
		return fmt.Errorf("%w: role is %q, want %q", ErrWrongTenant, a.Role, role)
	}
	return nil
}
