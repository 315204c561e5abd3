package rlsutil

import (
	"errors"
	"strings"
	"testing"
)

// badTableNames are table names no DDL helper may emit, with the words
// the error must say.
var badTableNames = []struct {
	table string
	want  string
}{
	{"", `table name "" has an empty part`},
	{".", `table name "." has an empty part`},
	{"app.", `table name "app." has an empty part`},
	{".notes", `table name ".notes" has an empty part`},
	{"no\x00tes", `table name "no\x00tes" has an empty part or a NUL byte`},
	{"app.no\x00tes", `table name "app.no\x00tes" has an empty part or a NUL byte`},
	{"a.b.c", `table name "a.b.c" has more than schema.table`},
	{"a..b", `table name "a..b" has more than schema.table`},
	{strings.Repeat("t", 64), `table name part "` + strings.Repeat("t", 64) + `" is 64 bytes; PostgreSQL would truncate it to 63`},
	{"app." + strings.Repeat("t", 64), `is 64 bytes; PostgreSQL would truncate it`},
	{strings.Repeat("s", 64) + ".notes", `is 64 bytes; PostgreSQL would truncate it`},
}

func TestEnableRLSRejectsBadTableNames(t *testing.T) {
	t.Parallel()
	for _, tt := range badTableNames {
		stmts, err := EnableRLS(tt.table)
		if !errors.Is(err, ErrInvalidSetting) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("EnableRLS(%q) error = %v, want an ErrInvalidSetting saying %q", tt.table, err, tt.want)
		}
		if stmts != nil {
			t.Errorf("EnableRLS(%q) returned statements %q with its error", tt.table, stmts)
		}
	}
}

func TestTenantPolicyRejectsBadTableNames(t *testing.T) {
	t.Parallel()
	for _, tt := range badTableNames {
		p := TenantPolicy{Table: tt.table, Name: "p"} // Name set: the default derives from Table
		sql, err := p.SQL()
		if !errors.Is(err, ErrInvalidSetting) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("TenantPolicy{Table: %q}.SQL() error = %v, want an ErrInvalidSetting saying %q", tt.table, err, tt.want)
		}
		if sql != "" {
			t.Errorf("TenantPolicy{Table: %q}.SQL() returned %q with its error", tt.table, sql)
		}
	}
}

// AppRole takes unqualified table names (they are put in Schema); each is
// one identifier, so only the empty, NUL and too-long cases apply.
func TestAppRoleRejectsBadTableNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		table string
		want  string
	}{
		{"", "table name is empty"},
		{"no\x00tes", `table name "no\x00tes" contains a NUL byte`},
		{strings.Repeat("t", 64), "is 64 bytes; PostgreSQL would truncate it to 63"},
	}
	for _, tt := range tests {
		stmts, err := AppRole{Name: "app", Tables: []string{"notes", tt.table}}.SQL()
		if !errors.Is(err, ErrInvalidSetting) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("AppRole{Tables: [notes %q]}.SQL() error = %v, want an ErrInvalidSetting saying %q", tt.table, err, tt.want)
		}
		if stmts != nil {
			t.Errorf("AppRole{Tables: [notes %q]}.SQL() returned statements %q with its error", tt.table, stmts)
		}
	}
}
