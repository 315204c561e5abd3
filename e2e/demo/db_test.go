package demo

import (
	"context"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/normkit/norm/rlsutil"
	"github.com/normkit/norm/tools/demo/notes"
)

// checkRLS proves the 404s were row-level security: the rows exist (the
// superuser sees them), the role is not privileged, and a transaction as
// Globex under the role sees none of Acme's notes.
func checkRLS(t *testing.T, conn *pgx.Conn, rep *notes.Report) {
	ctx := t.Context()
	tr := rep.Transcript
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM notes WHERE id = $1 OR id = $2", tr.AcmeNotes[0], tr.GlobexNote).Scan(&n); err != nil || n != 2 {
		t.Fatalf("superuser sees %d of the two notes (%v), want 2", n, err)
	}
	var super, bypass bool
	err := conn.QueryRow(ctx, "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = $1", notes.AppRole).Scan(&super, &bypass)
	if err != nil || super || bypass {
		t.Errorf("role %s: super=%v bypassrls=%v err=%v; want an unprivileged role", notes.AppRole, super, bypass, err)
	}
	var policies int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_policies WHERE policyname LIKE '%_tenant_isolation'").Scan(&policies); err != nil || policies != 3 {
		t.Errorf("%d tenant policies (%v), want 3", policies, err)
	}
	err = rlsutil.WithTenant(ctx, conn, strconv.FormatInt(tr.Globex, 10), notes.AppRole, func(ctx context.Context, tx pgx.Tx) error {
		return tx.QueryRow(ctx, "SELECT count(*) FROM notes WHERE tenant_id = $1", tr.Acme).Scan(&n)
	})
	if err != nil || n != 0 {
		t.Errorf("as Globex under %s: %d of Acme's notes visible (%v), want 0", notes.AppRole, n, err)
	}
}

// checkShutdown asserts the HTTP server is gone and the shutdown was timed.
func checkShutdown(t *testing.T, rep *notes.Report) {
	if rep.Shutdown <= 0 {
		t.Errorf("shutdown took %v, want it measured", rep.Shutdown)
	}
	c, err := net.DialTimeout("tcp", rep.Addr, time.Second)
	if err == nil {
		_ = c.Close()
		t.Errorf("%s still accepts connections after Run returned", rep.Addr)
	}
}
