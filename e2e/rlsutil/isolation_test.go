package rlsutil

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/normkit/norm/rlsutil"
)

func TestEachTenantSeesAndWritesOnlyItsRows(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	conn := f.db.Conn(t)
	ctx := ctxT(t)
	for tenant, n := range tenants {
		err := rlsutil.WithTenant(ctx, conn, tenant, f.role, func(ctx context.Context, tx pgx.Tx) error {
			seen := tenantsSeen(ctx, t, tx)
			if len(seen) != n {
				t.Errorf("tenant %q sees %d rows, want its %d", tenant, len(seen), n)
			}
			for _, s := range seen {
				if s != tenant {
					t.Errorf("tenant %q sees a row of tenant %q", tenant, s)
				}
			}
			// Updates and deletes cannot reach other tenants' rows.
			tag, err := tx.Exec(ctx, "UPDATE notes SET body = 'touched'")
			if err != nil {
				return err
			}
			if tag.RowsAffected() != int64(n) {
				t.Errorf("tenant %q updated %d rows, want %d", tenant, tag.RowsAffected(), n)
			}
			return rlsutil.AssertTenant(ctx, tx, tenant, f.role)
		})
		if err != nil {
			t.Fatalf("tenant %q: %v", tenant, err)
		}
	}
	var touched int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM notes WHERE body = 'touched'").Scan(&touched); err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, n := range tenants {
		total += n
	}
	if touched != total {
		t.Errorf("%d rows touched in all, want %d (each tenant its own)", touched, total)
	}
}

func TestWriteForAnotherTenantIsRejected(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	conn := f.db.Conn(t)
	ctx := ctxT(t)
	err := rlsutil.WithTenant(ctx, conn, "acme", f.role, func(ctx context.Context, tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO notes (tenant_id, body) VALUES ('globex', 'forged')")
		return err
	})
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "42501" {
		t.Fatalf("insert for another tenant: got %v, want SQLSTATE 42501 (WITH CHECK violation)", err)
	}
	var forged int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM notes WHERE body = 'forged'").Scan(&forged); err != nil || forged != 0 {
		t.Errorf("forged rows: %d (err %v), want 0", forged, err)
	}
}

// TestNoTenantFailsClosed covers both ways a tenant can be missing: never
// set on this session, and left empty by an earlier transaction-local
// value (a cast of ” to a non-text type would raise an error there).
func TestNoTenantFailsClosed(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	conn := f.db.Conn(t)
	ctx := ctxT(t)
	roleOnly := rlsutil.Settings{Role: f.role}
	check := func(when string) {
		err := rlsutil.WithSettings(ctx, conn, roleOnly, func(ctx context.Context, tx pgx.Tx) error {
			if seen := tenantsSeen(ctx, t, tx); len(seen) != 0 {
				t.Errorf("%s: no tenant set, yet %d rows visible", when, len(seen))
			}
			_, err := tx.Exec(ctx, "INSERT INTO notes (tenant_id, body) VALUES ('acme', 'orphan')")
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) || pgErr.Code != "42501" {
				t.Errorf("%s: insert without tenant: got %v, want 42501", when, err)
			}
			return nil
		})
		// The failed insert aborted the transaction, so its commit is a rollback.
		if !errors.Is(err, pgx.ErrTxCommitRollback) {
			t.Errorf("%s: transaction result %v, want ErrTxCommitRollback after the rejected insert", when, err)
		}
	}
	check("never set")
	if err := rlsutil.WithTenant(ctx, conn, "acme", f.role, func(context.Context, pgx.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	var leftover *string
	if err := conn.QueryRow(ctx, "SELECT current_setting($1, true)", rlsutil.TenantSetting).Scan(&leftover); err != nil {
		t.Fatal(err)
	}
	if leftover == nil || *leftover != "" {
		t.Fatalf("after a transaction-local tenant the session holds %v, want the empty string PostgreSQL leaves", leftover)
	}
	check("left empty by an earlier transaction")
}

// TestFailClosedWithTypedColumn: with a uuid tenant column, the empty
// string a session keeps after a transaction-local tenant would fail the
// cast; the policy's NULLIF turns it into "no rows" instead of an error.
func TestFailClosedWithTypedColumn(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	conn := f.db.Conn(t)
	ctx := ctxT(t)
	policy, err := rlsutil.TenantPolicy{Table: "docs", ColumnType: "uuid", Roles: []string{f.role}}.SQL()
	if err != nil {
		t.Fatal(err)
	}
	enable, _ := rlsutil.EnableRLS("docs")
	for _, s := range append([]string{
		"CREATE TABLE docs (tenant_id uuid NOT NULL, body text)",
		"INSERT INTO docs VALUES ('7f1d1c2e-0000-4000-8000-000000000001', 'a'), ('7f1d1c2e-0000-4000-8000-000000000002', 'b')",
		"GRANT SELECT ON docs TO " + pgx.Identifier{f.role}.Sanitize(),
		policy,
	}, enable...) {
		if _, err := conn.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	count := func(s rlsutil.Settings) (n int, err error) {
		err = rlsutil.WithSettings(ctx, conn, s, func(ctx context.Context, tx pgx.Tx) error {
			return tx.QueryRow(ctx, "SELECT count(*) FROM docs").Scan(&n)
		})
		return n, err
	}
	if n, err := count(rlsutil.TenantSettings("7f1d1c2e-0000-4000-8000-000000000001", f.role)); err != nil || n != 1 {
		t.Fatalf("tenant 1 sees %d docs (err %v), want 1", n, err)
	}
	n, err := count(rlsutil.Settings{Role: f.role}) // the session now holds ''
	if err != nil || n != 0 {
		t.Errorf("no tenant after an earlier one: %d docs, err %v; want 0 and no error", n, err)
	}
}

// TestOwnerAndSuperuserBypass documents why Settings.Role matters: the
// login superuser sees every tenant's rows even with a tenant set.
func TestOwnerAndSuperuserBypass(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	conn := f.db.Conn(t)
	ctx := ctxT(t)
	err := rlsutil.WithTenant(ctx, conn, "acme", "", func(ctx context.Context, tx pgx.Tx) error {
		distinct := map[string]bool{}
		for _, s := range tenantsSeen(ctx, t, tx) {
			distinct[s] = true
		}
		if len(distinct) != len(tenants) {
			t.Errorf("superuser sees %d tenants, want all %d (superusers bypass RLS)", len(distinct), len(tenants))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestInjectionThroughEveryInput(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	conn := f.db.Conn(t)
	ctx := ctxT(t)

	// A hostile tenant value is a value: it matches its own rows only.
	hostile := "'; DROP TABLE notes; --"
	err := rlsutil.WithTenant(ctx, conn, hostile, f.role, func(ctx context.Context, tx pgx.Tx) error {
		seen := tenantsSeen(ctx, t, tx)
		if len(seen) != tenants[hostile] {
			t.Errorf("hostile tenant sees %d rows, want its own %d", len(seen), tenants[hostile])
		}
		_, err := tx.Exec(ctx, "INSERT INTO notes (tenant_id, body) VALUES ($1, 'verbatim')", hostile)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var stored string
	if err := conn.QueryRow(ctx, "SELECT tenant_id FROM notes WHERE body = 'verbatim'").Scan(&stored); err != nil || stored != hostile {
		t.Errorf("hostile tenant stored as %q (err %v), want it verbatim", stored, err)
	}

	// A hostile setting name never reaches the server.
	err = rlsutil.WithSettings(ctx, conn, rlsutil.Settings{Vars: map[string]string{"app.x', true); DROP TABLE notes; --": "1"}}, func(context.Context, pgx.Tx) error {
		t.Error("fn ran with a hostile setting name")
		return nil
	})
	if !errors.Is(err, rlsutil.ErrInvalidSetting) {
		t.Errorf("hostile setting name: got %v, want ErrInvalidSetting", err)
	}

	// A hostile role name is a name that does not exist.
	err = rlsutil.WithTenant(ctx, conn, "acme", `app"; DROP TABLE notes; --`, func(context.Context, pgx.Tx) error {
		t.Error("fn ran with a hostile role name")
		return nil
	})
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "22023" && pgErr.Code != "42704" {
		t.Errorf("hostile role name: got %v, want invalid role (22023 or 42704)", err)
	}

	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM notes").Scan(&n); err != nil {
		t.Fatalf("notes table after the attempts: %v", err)
	}
}

func TestContextSettingsApplyOnBegin(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	p := f.db.Pool(t)
	ctx := rlsutil.ContextWithSettings(ctxT(t), rlsutil.Settings{Role: f.role})
	ctx = rlsutil.ContextWithTenant(ctx, "globex")
	tx, err := rlsutil.BeginContext(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	seen := tenantsSeen(ctx, t, tx)
	if len(seen) != tenants["globex"] {
		t.Errorf("BeginContext with tenant globex: %d rows visible, want %d", len(seen), tenants["globex"])
	}
	if err := rlsutil.AssertTenant(ctx, tx, "globex", f.role); err != nil {
		t.Error(err)
	}
	if err := rlsutil.AssertTenant(ctx, tx, "acme", ""); !errors.Is(err, rlsutil.ErrWrongTenant) {
		t.Errorf("AssertTenant for the wrong tenant: %v, want ErrWrongTenant", err)
	}
}
