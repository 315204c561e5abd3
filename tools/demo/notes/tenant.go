package notes

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/normkit/norm/repo"
	"github.com/normkit/norm/rlsutil"
)

// TenantHeader carries the caller's tenant id. A real service takes it
// from an authenticated session; the demo trusts the header.
const TenantHeader = "X-Tenant"

// errNoTenant is returned for a tenant request without a valid tenant.
var errNoTenant = errors.New("missing or invalid " + TenantHeader + " header")

type tenantKey struct{}

// withTenant runs next with the request's tenant and the application
// role in ctx, so every transaction the pool begins (and every replica
// read) runs as that tenant under AppRole.
func withTenant(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(r.Header.Get(TenantHeader), 10, 64)
		if err != nil || id <= 0 {
			writeError(w, http.StatusBadRequest, errNoTenant)
			return
		}
		tenant := strconv.FormatInt(id, 10)
		ctx := rlsutil.ContextWithSettings(r.Context(), rlsutil.TenantSettings(tenant, AppRole))
		ctx = context.WithValue(ctx, tenantKey{}, id)
		ctx = repo.WithActor(ctx, "tenant "+tenant) // the audit's actor
		next(w, r.WithContext(ctx))
	}
}

// tenantOf returns the tenant withTenant put into ctx.
func tenantOf(ctx context.Context) int64 {
	id, _ := ctx.Value(tenantKey{}).(int64)
	return id
}
