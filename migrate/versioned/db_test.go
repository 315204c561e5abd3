package versioned

import (
	"strings"
	"testing"
)

func TestConstructorsRefuseNil(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		call func() error
		want string
	}{
		{"NewMigrator", func() error { _, err := NewMigrator(nil, nil, MigratorOptions{}); return err }, "NewMigrator: db is nil"},
		{"NewMigratorConn", func() error { _, err := NewMigratorConn(nil, nil, MigratorOptions{}); return err }, "NewMigratorConn: conn is nil"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if err := tc.call(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one saying %q", err, tc.want)
			}
		})
	}
}
