package versioned

import (
	"strings"
	"testing"
	"time"
)

func TestFileNewHistory(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, table, schema, wantErr string
	}{
		{in: "schema_migrations", table: `"schema_migrations"`},
		{in: `ops.Mig"History`, table: `"ops"."Mig""History"`, schema: `"ops"`},
		{in: "a.b.c", wantErr: "want table or schema.table"},
		{in: "ops.", wantErr: "empty name part"},
		{in: "", wantErr: "empty name part"},
	}
	for _, tt := range tests {
		h, err := newHistory(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), `"`+tt.in+`"`) {
				t.Errorf("newHistory(%q) error = %v, want %q naming the input", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || h.table != tt.table || h.schema != tt.schema {
			t.Errorf("newHistory(%q) = %+v, %v; want table %s schema %s", tt.in, h, err, tt.table, tt.schema)
		}
	}
}

func TestFileTimeout(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   time.Duration
		want string
	}{
		{0, "0"}, {-time.Second, "0"}, {time.Microsecond, "1ms"}, {5 * time.Second, "5000ms"}, {1500 * time.Millisecond, "1500ms"},
	}
	for _, tt := range tests {
		if got := timeoutSetting(tt.in); got != tt.want {
			t.Errorf("timeoutSetting(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMigratorOptionsDefaults(t *testing.T) {
	t.Parallel()
	got := MigratorOptions{}.withDefaults()
	if got.HistoryTable != "schema_migrations" || got.LockTimeout != 5*time.Second || got.StatementTimeout != 0 {
		t.Fatalf("defaults = %+v", got)
	}
	kept := MigratorOptions{HistoryTable: "h", LockTimeout: -1}.withDefaults()
	if kept.HistoryTable != "h" || kept.LockTimeout != -1 {
		t.Fatalf("explicit values overridden: %+v", kept)
	}
}
