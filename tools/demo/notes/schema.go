package notes

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/normkit/norm/migrate"
	"github.com/normkit/norm/migrate/versioned"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations returns the service's SQL-file migrations.
func Migrations() (fs.FS, error) {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("notes: migrations: %w", err)
	}
	return sub, nil
}

// MigrationReport is what Migrate did.
type MigrationReport struct {
	// AutoPlan is the auto-migration plan that was applied (Plan.Text).
	AutoPlan string
	// Files lists the SQL-file migrations applied.
	Files []versioned.MigrationResult
}

// Migrate brings the schema up to date: the auto-migration from Models,
// then the SQL-file migrations (row-level security). db must reach the
// primary directly (not through PgBouncer): the service's *pool.DB is fine.
func Migrate(ctx context.Context, db migrate.DB) (MigrationReport, error) {
	var rep MigrationReport
	auto, err := migrate.NewAuto(db, Models(), migrate.AutoOptions{})
	if err != nil {
		return rep, fmt.Errorf("notes: auto-migration: %w", err)
	}
	res, err := auto.Apply(ctx)
	if err != nil {
		return rep, fmt.Errorf("notes: apply auto-migration: %w", err)
	}
	rep.AutoPlan = res.Plan.Text() // the plan made and run under the lock
	files, err := Migrations()
	if err != nil {
		return rep, err
	}
	mg, err := versioned.NewMigrator(db, files, versioned.MigratorOptions{})
	if err != nil {
		return rep, fmt.Errorf("notes: file migrations: %w", err)
	}
	if rep.Files, err = mg.Up(ctx); err != nil {
		return rep, fmt.Errorf("notes: apply file migrations: %w", err)
	}
	return rep, nil
}

// ChangePlans returns the plan for the next model version (NoteNext)
// against the live schema, in the default and the online form. It only
// plans; nothing is changed.
func ChangePlans(ctx context.Context, db migrate.DB) (plain, online *migrate.Plan, err error) {
	for _, o := range []bool{false, true} {
		auto, err := migrate.NewAuto(db, []any{NoteNext{}}, migrate.AutoOptions{PlanOptions: migrate.PlanOptions{Online: o}})
		if err != nil {
			return nil, nil, fmt.Errorf("notes: model change: %w", err)
		}
		p, err := auto.Plan(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("notes: plan model change: %w", err)
		}
		if o {
			online = p
		} else {
			plain = p
		}
	}
	return plain, online, nil
}
