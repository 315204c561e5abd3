package versioned

import (
	"context"
	"fmt"
	"time"
)

func goErr(m *Migration, d Direction, err error) error {
	if err == nil {
		return nil
	}
	return &MigrationError{Version: m.Version, Source: m.Source(), Direction: d, Err: err}
}

// execScript runs a script's statements one by one, so an error names the
// statement that failed.
func execScript(ctx context.Context, q querier, m *Migration, sc *script, d Direction) error {
	for _, st := range sc.Statements {
		if _, err := q.Exec(ctx, st.SQL); err != nil {
			return &MigrationError{Version: m.Version, Source: sc.Path, Direction: d, Line: st.Line, Statement: st.Code, Err: err}
		}
	}
	return nil
}

// timeoutSetting renders a duration for set_config: "0" disables.
func timeoutSetting(d time.Duration) string {
	if d <= 0 {
		return "0"
	}
	return fmt.Sprintf("%dms", max(d.Milliseconds(), 1))
}
