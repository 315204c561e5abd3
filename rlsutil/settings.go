package rlsutil

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// TenantSetting is the run-time setting WithTenant and ContextWithTenant
// use for the tenant id, and the one TenantPolicy reads by default.
const TenantSetting = "app.tenant_id"

// BindingSetting is the setting Apply binds its settings to the current
// transaction with: it is set, transaction-locally, to a token of the
// transaction (txToken), and the policies TenantPolicy generates match no
// row unless it still equals the current transaction's token. A tenant
// setting left at session level by anything — set_config(…, false) in a
// plpgsql helper, a DO block, a quoted "set_config" — therefore opens no
// row in a later transaction, or outside one.
const BindingSetting = "rlsutil.tx"

// txToken is the SQL expression of the current transaction's token: the
// backend's pid and the transaction's start time in microseconds. Within
// one backend transactions run one after another, each with its own start
// time, so a token set in one transaction does not equal the token of any
// later one (short of the system clock stepping back to the very same
// microsecond). Computed by the server, both when Apply sets it and when a
// policy checks it; the same on a hot standby and behind PgBouncer, since
// a transaction runs on one backend.
const txToken = `pg_backend_pid()::text || ':' || (extract(epoch FROM transaction_timestamp()) * 1000000)::bigint::text`

// ErrInvalidSetting is wrapped by every error about a bad setting name,
// role name or value.
var ErrInvalidSetting = errors.New("rlsutil: invalid setting")

// Settings are applied to one transaction and vanish with it.
type Settings struct {
	// Role, when not empty, becomes the transaction's current role, as SET
	// LOCAL ROLE does. The session's login role must be a member of it.
	// Row-level security is enforced for Role, so it must be neither a
	// superuser nor the tables' owner (both bypass it, the owner unless
	// FORCE ROW LEVEL SECURITY is on).
	Role string

	// Vars are custom settings (name → value), each applied with
	// set_config(name, value, true). Names must be qualified with a prefix,
	// as PostgreSQL requires for custom settings ("app.tenant_id"), and
	// consist of letters, digits and underscores. Values travel as bind
	// parameters and are stored verbatim.
	Vars map[string]string
}

// TenantSettings returns Settings that set TenantSetting to tenant and,
// when role is not empty, switch to role.
func TenantSettings(tenant, role string) Settings {
	return Settings{Role: role, Vars: map[string]string{TenantSetting: tenant}}
}

// Validate reports every problem with s at once.
func (s Settings) Validate() error {
	var errs []error
	if s.Role != "" {
		errs = append(errs, checkIdent("role name", s.Role))
	}
	for _, name := range s.names() {
		if err := ValidateSettingName(name); err != nil {
			errs = append(errs, err)
		}
		if strings.ContainsRune(s.Vars[name], 0) {
			errs = append(errs, fmt.Errorf("%w: value of %s contains a NUL byte", ErrInvalidSetting, name))
		}
	}
	return errors.Join(errs...)
}

// names returns the variable names sorted, so the statement that applies
// them has one text per set of names (friendly to statement caches).
func (s Settings) names() []string {
	names := make([]string, 0, len(s.Vars))
	for k := range s.Vars {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// ValidateSettingName checks that name is a custom setting name PostgreSQL
// accepts and that is safe to embed in policy DDL: two or more parts of
// letters, digits and underscores separated by dots, not starting with a
// digit, at most 63 bytes per part.
func ValidateSettingName(name string) error {
	parts := strings.Split(name, ".")
	if len(parts) < 2 {
		return fmt.Errorf("%w: setting name %q needs a prefix (for example app.%s)", ErrInvalidSetting, name, name)
	}
	for _, p := range parts {
		if !isIdentPart(p) {
			return fmt.Errorf("%w: setting name %q: part %q must be 1–63 letters, digits or underscores, not starting with a digit", ErrInvalidSetting, name, p)
		}
	}
	return nil
}

func isIdentPart(p string) bool {
	if p == "" || len(p) > 63 || p[0] >= '0' && p[0] <= '9' {
		return false
	}
	for i := 0; i < len(p); i++ {
		if !isWordByte(p[i]) {
			return false
		}
	}
	return true
}

func isWordByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
