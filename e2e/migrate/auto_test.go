package migrate_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/normkit/norm/migrate"
)

func ctxT(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// newAuto builds an AutoMigrator over db: a pool (migrate.DB, NewAuto) or
// a single *pgx.Conn (NewAutoConn).
func newAuto(t *testing.T, db any, models []any, opts migrate.AutoOptions) *migrate.AutoMigrator {
	t.Helper()
	var a *migrate.AutoMigrator
	var err error
	switch db := db.(type) {
	case *pgx.Conn:
		a, err = migrate.NewAutoConn(db, models, opts)
	case migrate.DB:
		a, err = migrate.NewAuto(db, models, opts)
	default:
		t.Fatalf("newAuto: %T is neither a *pgx.Conn nor a migrate.DB", db)
	}
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func mustPlan(t *testing.T, a *migrate.AutoMigrator) *migrate.Plan {
	t.Helper()
	p, err := a.Plan(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestZooAppliesAndReplansEmpty(t *testing.T) {
	t.Parallel()
	db := cluster.NewDatabase(t)
	conn := db.Conn(t)
	ctx := ctxT(t)
	a := newAuto(t, conn, zoo(), migrate.AutoOptions{})
	plan := mustPlan(t, a)
	if plan.Empty() {
		t.Fatal("plan for an empty database is empty")
	}
	if s := plan.MaxSeverity(); s > migrate.Info {
		t.Errorf("creating fresh tables has hazards up to %s:\n%s", s, plan.Text())
	}
	res, err := a.Apply(ctx)
	if err != nil {
		t.Fatalf("apply: %v\n%s", err, plan.Text())
	}
	if res.Plan.Checksum() != plan.Checksum() {
		t.Errorf("the plan made inside the lock differs from the preview")
	}
	again := mustPlan(t, a)
	if !again.Empty() {
		t.Fatalf("plan after apply is not empty:\n%s", again.Text())
	}
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM norm_auto_migrations").Scan(&n); err != nil || n != 1 {
		t.Errorf("history rows: %d (err %v), want 1", n, err)
	}
	// A second Apply finds nothing to do and records nothing.
	res, err = a.Apply(ctx)
	if err != nil || !res.Plan.Empty() {
		t.Fatalf("second apply: %v, plan %v", err, res.Plan.Text())
	}
	// Soft delete turned the unique group into a partial unique index.
	var def string
	if err := conn.QueryRow(ctx, "SELECT pg_get_indexdef('tenant_email'::regclass)").Scan(&def); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(def, "UNIQUE") || !strings.Contains(def, "WHERE (deleted_at IS NULL)") {
		t.Errorf("unique group of a soft-delete model: %s, want a partial unique index", def)
	}
}

func TestConcurrentMigratorsApplyOnce(t *testing.T) {
	t.Parallel()
	db := cluster.NewDatabase(t)
	p := db.Pool(t)
	ctx := ctxT(t)
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	steps := make([]int, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a, err := migrate.NewAuto(p, zoo(), migrate.AutoOptions{})
			if err != nil {
				errs[i] = err
				return
			}
			res, err := a.Apply(ctx)
			errs[i] = err
			if res != nil && res.Plan != nil {
				steps[i] = len(res.Plan.Steps)
			}
		}()
	}
	wg.Wait()
	applied := 0
	for i, err := range errs {
		if err != nil {
			t.Errorf("migrator %d: %v", i, err)
		}
		if steps[i] > 0 {
			applied++
		}
	}
	if applied != 1 {
		t.Errorf("%d migrators applied a non-empty plan, want exactly 1", applied)
	}
	var hist int
	if err := p.QueryRow(ctx, "SELECT count(*) FROM norm_auto_migrations").Scan(&hist); err != nil || hist != 1 {
		t.Errorf("history rows %d (err %v), want 1", hist, err)
	}
}

type widgetV1 struct {
	ID   int64  `db:"id" norm:"pk,auto_increment"`
	Name string `db:"name"`
}

func (widgetV1) TableName() string { return "widgets" }

type widgetBroken struct {
	ID    int64  `db:"id" norm:"pk,auto_increment"`
	Name  string `db:"name"`
	Color string `db:"color" norm:"default:'red'"`
	Bad   string `db:"bad" norm:"type:no_such_type"`
}

func (widgetBroken) TableName() string { return "widgets" }

func TestFailingStepRollsBackEverything(t *testing.T) {
	t.Parallel()
	db := cluster.NewDatabase(t)
	conn := db.Conn(t)
	ctx := ctxT(t)
	if _, err := newAuto(t, conn, []any{widgetV1{}}, migrate.AutoOptions{}).Apply(ctx); err != nil {
		t.Fatal(err)
	}
	_, err := newAuto(t, conn, []any{widgetBroken{}}, migrate.AutoOptions{}).Apply(ctx)
	var stepErr *migrate.StepError
	if !errors.As(err, &stepErr) || !strings.Contains(stepErr.Step.SQL, "no_such_type") {
		t.Fatalf("got %v, want a StepError naming the failing SQL", err)
	}
	var cols []string
	rows, _ := conn.Query(ctx, "SELECT column_name FROM information_schema.columns WHERE table_name = 'widgets' ORDER BY ordinal_position")
	cols, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(cols, ",") != "id,name" {
		t.Errorf("columns after the failed migration: %v, want id,name (color must be rolled back)", cols)
	}
	var hist int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM norm_auto_migrations").Scan(&hist); err != nil || hist != 1 {
		t.Errorf("history rows %d (err %v), want 1 (only the first apply)", hist, err)
	}
}
