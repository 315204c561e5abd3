package rlsutil

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestValidateSettingName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		ok   bool
	}{
		{"app.tenant_id", true},
		{"my_app.user.id", true},
		{"App.Tenant9", true},
		{"tenant_id", false},     // custom settings need a prefix
		{"app.", false},          // empty part
		{".tenant", false},       // empty part
		{"app.9lives", false},    // starts with a digit
		{"app.tenant-id", false}, // dash
		{"app.t'); DROP", false}, // injection attempt
		{"app.t\x00x", false},    // NUL
		{"app." + strings.Repeat("x", 64), false},
	}
	for _, tt := range tests {
		err := ValidateSettingName(tt.name)
		if (err == nil) != tt.ok {
			t.Errorf("ValidateSettingName(%q) = %v, want ok=%v", tt.name, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalidSetting) {
			t.Errorf("ValidateSettingName(%q) error %v does not wrap ErrInvalidSetting", tt.name, err)
		}
	}
}

func TestSettingsValidateReportsEveryProblem(t *testing.T) {
	t.Parallel()
	s := Settings{Role: "a\x00b", Vars: map[string]string{"nodot": "x", "app.ok": "v\x00", "app.fine": "ok"}}
	err := s.Validate()
	if err == nil {
		t.Fatal("Validate accepted bad settings")
	}
	for _, want := range []string{"role name", `"nodot"`, "value of app.ok"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
	if strings.Contains(err.Error(), "app.fine") {
		t.Errorf("error %q mentions a valid setting", err)
	}
}

func TestApplyStatement(t *testing.T) {
	t.Parallel()
	// Every statement ends by binding the settings to the transaction.
	const bind = ", set_config('rlsutil.tx', " + txToken + ", true)"
	tests := []struct {
		name     string
		s        Settings
		wantSQL  string
		wantArgs []any
	}{
		{"nothing", Settings{}, "", nil},
		{"tenant", TenantSettings("t1", ""),
			"SELECT set_config($1, $2, true)" + bind, []any{"app.tenant_id", "t1"}},
		{"tenant and role", TenantSettings("t1", "app_user"),
			"SELECT set_config($1, $2, true), set_config($3, $4, true)" + bind, []any{"app.tenant_id", "t1", "role", "app_user"}},
		{"sorted names", Settings{Vars: map[string]string{"b.x": "2", "a.y": "1"}},
			"SELECT set_config($1, $2, true), set_config($3, $4, true)" + bind, []any{"a.y", "1", "b.x", "2"}},
		{"hostile value stays a parameter", TenantSettings("'; DROP TABLE notes; --", ""),
			"SELECT set_config($1, $2, true)" + bind, []any{"app.tenant_id", "'; DROP TABLE notes; --"}},
	}
	for _, tt := range tests {
		sql, args := applyStatement(tt.s)
		if sql != tt.wantSQL || !reflect.DeepEqual(args, tt.wantArgs) {
			t.Errorf("%s: applyStatement = %q %v, want %q %v", tt.name, sql, args, tt.wantSQL, tt.wantArgs)
		}
	}
}

func TestDescribeOmitsValues(t *testing.T) {
	t.Parallel()
	d := TenantSettings("secret-tenant", "app_user").describe()
	if strings.Contains(d, "secret-tenant") {
		t.Errorf("describe() = %q reveals the tenant id", d)
	}
	if !strings.Contains(d, "app.tenant_id") || !strings.Contains(d, `"app_user"`) {
		t.Errorf("describe() = %q should name the setting and the role", d)
	}
}

func TestContextCarriesSettings(t *testing.T) {
	t.Parallel()
	base := context.Background()
	if s := SettingsFromContext(base); s.Role != "" || len(s.Vars) != 0 {
		t.Fatalf("empty context carries %+v", s)
	}
	withRole := ContextWithSettings(base, Settings{Role: "app_user", Vars: map[string]string{"app.region": "eu"}})
	a := ContextWithTenant(withRole, "a")
	b := ContextWithTenant(a, "b")
	if got := SettingsFromContext(a).Vars[TenantSetting]; got != "a" {
		t.Errorf("tenant in a = %q, want a (a later ContextWithTenant must not change it)", got)
	}
	sb := SettingsFromContext(b)
	if sb.Vars[TenantSetting] != "b" || sb.Role != "app_user" || sb.Vars["app.region"] != "eu" {
		t.Errorf("settings in b = %+v, want tenant b with the role and region kept", sb)
	}
	if _, ok := SettingsFromContext(withRole).Vars[TenantSetting]; ok {
		t.Error("ContextWithTenant changed its parent context's settings")
	}
}

func TestTenantPolicySQL(t *testing.T) {
	t.Parallel()
	const bound = " AND current_setting('rlsutil.tx', true) = " + txToken
	tests := []struct {
		name string
		p    TenantPolicy
		want string
	}{
		{"defaults", TenantPolicy{Table: "notes"},
			`CREATE POLICY "notes_tenant_isolation" ON "notes" AS PERMISSIVE FOR ALL TO PUBLIC ` +
				`USING ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::text` + bound + `) ` +
				`WITH CHECK ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::text` + bound + `)`},
		{"everything", TenantPolicy{Table: "app.Notes", Column: "org", ColumnType: "uuid", Setting: "my.org", Name: "iso", Roles: []string{"app_user", "we\"ird"}},
			`CREATE POLICY "iso" ON "app"."Notes" AS PERMISSIVE FOR ALL TO "app_user", "we""ird" ` +
				`USING ("org" = NULLIF(current_setting('my.org', true), '')::uuid` + bound + `) ` +
				`WITH CHECK ("org" = NULLIF(current_setting('my.org', true), '')::uuid` + bound + `)`},
		{"multi-word, sized and array type", TenantPolicy{Table: "t", ColumnType: "character varying(64)[]"},
			`CREATE POLICY "t_tenant_isolation" ON "t" AS PERMISSIVE FOR ALL TO PUBLIC ` +
				`USING ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::character varying(64)[]` + bound + `) ` +
				`WITH CHECK ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::character varying(64)[]` + bound + `)`},
		{"qualified type", TenantPolicy{Table: "t", ColumnType: "pg_catalog.numeric(10,2)"},
			`CREATE POLICY "t_tenant_isolation" ON "t" AS PERMISSIVE FOR ALL TO PUBLIC ` +
				`USING ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::pg_catalog.numeric(10,2)` + bound + `) ` +
				`WITH CHECK ("tenant_id" = NULLIF(current_setting('app.tenant_id', true), '')::pg_catalog.numeric(10,2)` + bound + `)`},
	}
	for _, tt := range tests {
		got, err := tt.p.SQL()
		if err != nil || got != tt.want {
			t.Errorf("%s:\n got %s (%v)\nwant %s", tt.name, got, err, tt.want)
		}
	}
}

func TestTenantPolicyRejectsBadInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		p    TenantPolicy
		want string
	}{
		{TenantPolicy{Table: "notes", ColumnType: "uuid); DROP TABLE notes; --"}, "not a plain type name"},
		{TenantPolicy{Table: "notes", Setting: "x') OR true --"}, "setting name"},
		{TenantPolicy{Table: "a.b.c"}, "more than schema.table"},
		{TenantPolicy{Table: ""}, "empty part"},
		// A type name followed by more expression would isolate nothing.
		{TenantPolicy{Table: "notes", ColumnType: "text OR true"}, "not a plain type name"},
		{TenantPolicy{Table: "notes", ColumnType: "text)) OR ((true"}, "not a plain type name"},
		{TenantPolicy{Table: "notes", ColumnType: "int AND 1=1"}, "not a plain type name"},
		{TenantPolicy{Table: "notes", ColumnType: "text -- x"}, "not a plain type name"},
		{TenantPolicy{Table: "notes", ColumnType: "a.b.text"}, "not a plain type name"},
		{TenantPolicy{Table: "notes", ColumnType: "pg_catalog.character varying"}, "not a plain type name"},
		// The server would truncate these names instead of taking them.
		{TenantPolicy{Table: strings.Repeat("t", 64)}, "would truncate"},
		{TenantPolicy{Table: "s." + strings.Repeat("t", 64)}, "would truncate"},
		{TenantPolicy{Table: strings.Repeat("t", 60)}, "policy name"}, // the default name outgrows 63
		{TenantPolicy{Table: "notes", Column: strings.Repeat("c", 64)}, "column name"},
		{TenantPolicy{Table: "notes", Roles: []string{strings.Repeat("r", 64)}}, "role name"},
		{TenantPolicy{Table: "notes", Setting: "app." + strings.Repeat("s", 64)}, "setting name"},
	}
	for _, tt := range tests {
		_, err := tt.p.SQL()
		if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, ErrInvalidSetting) {
			t.Errorf("%+v: got %v, want an ErrInvalidSetting saying %q", tt.p, err, tt.want)
		}
	}
}

func TestAppRoleRejectsNamesTheServerWouldTruncate(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 64)
	for _, r := range []AppRole{
		{Name: long, Tables: []string{"notes"}},
		{Name: "app", Schema: long, Tables: []string{"notes"}},
		{Name: "app", Tables: []string{"notes", long}},
		{Name: "app", Tables: []string{"notes"}, GrantTo: []string{long}},
	} {
		if _, err := r.SQL(); err == nil || !errors.Is(err, ErrInvalidSetting) || !strings.Contains(err.Error(), "would truncate") {
			t.Errorf("%+v: got %v, want an ErrInvalidSetting about truncation", r, err)
		}
	}
	if err := TenantSettings("t", long).Validate(); err == nil {
		t.Error("a 64-byte role name passed Settings.Validate")
	}
	if _, err := (AppRole{Name: strings.Repeat("x", 63), Tables: []string{"notes"}}).SQL(); err != nil {
		t.Errorf("a 63-byte name was refused: %v", err)
	}
}

func TestEnableRLSAndAppRole(t *testing.T) {
	t.Parallel()
	got, err := EnableRLS("app.notes")
	want := []string{`ALTER TABLE "app"."notes" ENABLE ROW LEVEL SECURITY`, `ALTER TABLE "app"."notes" FORCE ROW LEVEL SECURITY`}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("EnableRLS = %q, %v", got, err)
	}
	stmts, err := AppRole{Name: "app_user", Tables: []string{"notes", "tags"}, GrantTo: []string{"svc"}}.SQL()
	if err != nil {
		t.Fatal(err)
	}
	wantRole := []string{
		`CREATE ROLE "app_user" NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE`,
		`GRANT USAGE ON SCHEMA "public" TO "app_user"`,
		`GRANT SELECT, INSERT, UPDATE, DELETE ON "public"."notes", "public"."tags" TO "app_user"`,
		`GRANT USAGE ON ALL SEQUENCES IN SCHEMA "public" TO "app_user"`,
		`GRANT "app_user" TO "svc"`,
	}
	if !reflect.DeepEqual(stmts, wantRole) {
		t.Errorf("AppRole.SQL =\n%s\nwant\n%s", strings.Join(stmts, "\n"), strings.Join(wantRole, "\n"))
	}
	if _, err := (AppRole{Name: "x"}).SQL(); !errors.Is(err, ErrInvalidSetting) {
		t.Errorf("AppRole without tables: %v", err)
	}
}
