package rlsutil

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"
)

// The helpers below generate DDL for review and for migrations (migrate's
// SQL files or Go migrations). They execute nothing. Identifiers are
// quoted; the setting name, the only literal, is validated first.

// EnableRLS returns the statements that enable row-level security on table
// and force it, so the table's owner is subject to policies too (only
// superusers and BYPASSRLS roles still bypass them). table may be
// schema-qualified ("app.notes").
func EnableRLS(table string) ([]string, error) {
	t, err := qualified(table)
	if err != nil {
		return nil, err
	}
	return []string{
		"ALTER TABLE " + t + " ENABLE ROW LEVEL SECURITY",
		"ALTER TABLE " + t + " FORCE ROW LEVEL SECURITY",
	}, nil
}

// TenantPolicy describes a tenant-isolation policy: rows are visible and
// writable only when Column equals the transaction's tenant setting.
type TenantPolicy struct {
	// Table is the table, optionally schema-qualified. Required.
	Table string
	// Column holds the tenant id. Default "tenant_id".
	Column string
	// ColumnType is the column's type, which the setting is cast to
	// ("uuid", "bigint", "text", …). Default "text".
	ColumnType string
	// Setting is the run-time setting holding the tenant id. Default
	// TenantSetting.
	Setting string
	// Name is the policy name. Default "<table>_tenant_isolation".
	Name string
	// Roles the policy applies to. Default PUBLIC.
	Roles []string
}

// typeName accepts a type name and nothing else: one identifier (uuid,
// bigint, text, int8), optionally schema-qualified (pg_catalog.int8), or
// one of SQL's multi-word type names (character varying, double
// precision, timestamp with time zone, …, which are keywords and cannot be
// qualified), with a size or precision — (64), (10,2) — and an array
// suffix. Anything that could continue the policy's expression
// ("text OR true") is refused.
var typeName = regexp.MustCompile(`^(?i:(` +
	`character varying|char varying|national character varying|national character|` +
	`double precision|bit varying|` +
	`timestamp with time zone|timestamp without time zone|time with time zone|time without time zone|` +
	`([a-z_][a-z0-9_]*\.)?[a-z_][a-z0-9_]*)` +
	`(\(\d+(, ?\d+)?\))?(\[\])?)$`)

// maxIdentLen is PostgreSQL's NAMEDATALEN - 1: the server silently
// truncates a longer identifier, so two long names could become one.
const maxIdentLen = 63

// checkIdent refuses an identifier rlsutil would emit that the server
// would not take as written: empty, with a NUL byte, or over 63 bytes.
func checkIdent(what, name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: %s is empty", ErrInvalidSetting, what)
	case strings.ContainsRune(name, 0):
		return fmt.Errorf("%w: %s %q contains a NUL byte", ErrInvalidSetting, what, name)
	case len(name) > maxIdentLen:
		return fmt.Errorf("%w: %s %q is %d bytes; PostgreSQL would truncate it to %d", ErrInvalidSetting, what, name, len(name), maxIdentLen)
	}
	return nil
}

// checkIdents is checkIdent over a list.
func checkIdents(what string, names []string) []error {
	var errs []error
	for _, n := range names {
		errs = append(errs, checkIdent(what, n))
	}
	return errs
}

// SQL returns the CREATE POLICY statement. The predicate fails closed:
//
//	col = NULLIF(current_setting('app.tenant_id', true), '')::type
//	AND current_setting('rlsutil.tx', true) = <the transaction's token>
//
// current_setting(…, true) is NULL when the setting was never set, and
// NULLIF turns the empty string a session is left with after a
// transaction-local value ended into NULL as well, so a missing tenant
// matches no row (and every write fails WITH CHECK) instead of raising a
// cast error that a retry might paper over, or matching every row. The
// second condition honors the tenant only in the transaction Apply set it
// in (see BindingSetting): a tenant set at session level, by whatever
// path, opens nothing. It does not depend on the row, so PostgreSQL
// evaluates it once per statement, and an index on the column still
// serves the first.
func (p TenantPolicy) SQL() (string, error) {
	p = p.withDefaults()
	var errs []error
	table, err := qualified(p.Table)
	errs = append(errs, err, ValidateSettingName(p.Setting), checkIdent("column name", p.Column), checkIdent("policy name", p.Name))
	errs = append(errs, checkIdents("role name", p.Roles)...)
	if !typeName.MatchString(p.ColumnType) {
		errs = append(errs, fmt.Errorf("%w: column type %q is not a plain type name", ErrInvalidSetting, p.ColumnType))
	}
	if err := errors.Join(errs...); err != nil {
		return "", fmt.Errorf("rlsutil: tenant policy on %q: %w", p.Table, err)
	}
	pred := fmt.Sprintf("%s = NULLIF(current_setting('%s', true), '')::%s AND current_setting('%s', true) = %s",
		ident(p.Column), p.Setting, p.ColumnType, BindingSetting, txToken)
	return fmt.Sprintf("CREATE POLICY %s ON %s AS PERMISSIVE FOR ALL TO %s USING (%s) WITH CHECK (%s)",
		ident(p.Name), table, roleList(p.Roles), pred, pred), nil
}

func (p TenantPolicy) withDefaults() TenantPolicy {
	if p.Column == "" {
		p.Column = "tenant_id"
	}
	if p.ColumnType == "" {
		p.ColumnType = "text"
	}
	if p.Setting == "" {
		p.Setting = TenantSetting
	}
	if p.Name == "" {
		parts := strings.Split(p.Table, ".")
		p.Name = parts[len(parts)-1] + "_tenant_isolation"
	}
	return p
}

// AppRole describes the role an application switches to (Settings.Role)
// so that policies apply: not a superuser, not BYPASSRLS, not the
// tables' owner, NOLOGIN (the service logs in as another role that is a
// member of it).
type AppRole struct {
	// Name of the role. Required.
	Name string
	// Schema whose tables it may use. Default "public".
	Schema string
	// Tables it may read and write (unqualified, in Schema). Required.
	Tables []string
	// GrantTo are login roles allowed to switch to it (GRANT name TO …).
	GrantTo []string
}

// SQL returns the statements creating the role with the least privileges
// it needs: USAGE on the schema, SELECT/INSERT/UPDATE/DELETE on the
// tables, USAGE on the schema's sequences (for identity and serial
// columns), and membership for the login roles.
func (r AppRole) SQL() ([]string, error) {
	if r.Name == "" || len(r.Tables) == 0 {
		return nil, fmt.Errorf("rlsutil: app role needs a Name and at least one table: %w", ErrInvalidSetting)
	}
	if r.Schema == "" {
		r.Schema = "public"
	}
	errs := []error{checkIdent("role name", r.Name), checkIdent("schema name", r.Schema)}
	errs = append(errs, checkIdents("table name", r.Tables)...)
	errs = append(errs, checkIdents("login role name", r.GrantTo)...)
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("rlsutil: app role %q: %w", r.Name, err)
	}
	schema := ident(r.Schema)
	tables := make([]string, len(r.Tables))
	for i, t := range r.Tables {
		tables[i] = schema + "." + ident(t)
	}
	role := ident(r.Name)
	stmts := []string{
		"CREATE ROLE " + role + " NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE",
		"GRANT USAGE ON SCHEMA " + schema + " TO " + role,
		"GRANT SELECT, INSERT, UPDATE, DELETE ON " + strings.Join(tables, ", ") + " TO " + role,
		"GRANT USAGE ON ALL SEQUENCES IN SCHEMA " + schema + " TO " + role,
	}
	for _, login := range r.GrantTo {
		stmts = append(stmts, "GRANT "+role+" TO "+ident(login))
	}
	return stmts, nil
}

func ident(name string) string { return pgx.Identifier{name}.Sanitize() }

func roleList(roles []string) string {
	if len(roles) == 0 {
		return "PUBLIC"
	}
	quoted := make([]string, len(roles))
	for i, r := range roles {
		quoted[i] = ident(r)
	}
	return strings.Join(quoted, ", ")
}

// qualified quotes "schema.table" or "table"; a name with more parts, an
// empty part or a NUL byte is an error.
func qualified(name string) (string, error) {
	parts := strings.Split(name, ".")
	if len(parts) > 2 {
		return "", fmt.Errorf("%w: table name %q has more than schema.table", ErrInvalidSetting, name)
	}
	for _, p := range parts {
		if p == "" || strings.ContainsRune(p, 0) {
			return "", fmt.Errorf("%w: table name %q has an empty part or a NUL byte", ErrInvalidSetting, name)
		}
		if err := checkIdent("table name part", p); err != nil {
			return "", err
		}
	}
	return pgx.Identifier(parts).Sanitize(), nil
}
