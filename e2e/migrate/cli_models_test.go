package migrate_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/normkit/norm/migrate"
	"github.com/normkit/norm/migrate/migratecmd"
)

// TestModelCommands drives plan / plan --check / apply over models the way
// a service's own cmd/migrate would, against a populated table.
func TestModelCommands(t *testing.T) {
	t.Parallel()
	db, conn := itemsV1(t)
	populate(t, conn)
	opts := migratecmd.Options{Auto: migratecmd.Models(migrate.AutoOptions{}, owner{}, indexQty{})}
	run := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := migratecmd.Run(ctxT(t), append(args, "--dsn", db.DSN()), &out, &errOut, opts)
		return code, out.String(), errOut.String()
	}
	code, out, _ := run("plan")
	if code != migratecmd.ExitOK || !strings.Contains(out, "blocking-index") {
		t.Fatalf("plan: exit %d, output:\n%s\nwant exit 0 and the blocking-index hazard", code, out)
	}
	if code, _, stderr := run("plan", "--check"); code != migratecmd.ExitUnsafe {
		t.Errorf("plan --check on an unsafe plan: exit %d (%s), want %d", code, stderr, migratecmd.ExitUnsafe)
	}
	if code, out, stderr := run("apply"); code != migratecmd.ExitOK || !strings.Contains(out, "CREATE INDEX") {
		t.Fatalf("apply: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	if code, out, _ := run("plan", "--check"); code != migratecmd.ExitOK || !strings.Contains(out, "nothing to do") {
		t.Errorf("plan --check after apply: exit %d, output %q; want 0 and nothing to do", code, out)
	}
}
