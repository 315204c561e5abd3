package migrate

import (
	"strings"
	"testing"
)

type dbRow struct {
	ID int64 `db:"id" norm:"pk"`
}

func (dbRow) TableName() string { return "rows" }

func TestConstructorsRefuseNil(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		call func() error
		want string
	}{
		{"NewAuto", func() error { _, err := NewAuto(nil, []any{dbRow{}}, AutoOptions{}); return err }, "NewAuto: db is nil"},
		{"NewAutoConn", func() error { _, err := NewAutoConn(nil, []any{dbRow{}}, AutoOptions{}); return err }, "NewAutoConn: conn is nil"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if err := tc.call(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one saying %q", err, tc.want)
			}
		})
	}
}
