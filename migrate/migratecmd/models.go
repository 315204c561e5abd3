package migratecmd

import (
	"context"

	"github.com/normkit/norm/migrate"
)

// Models returns an Options.Auto that plans and applies auto-migrations
// to the schema of models (see migrate.NewAuto), so a service's own
// cmd/migrate offers `plan`, `plan --check`, `apply` and `diff NAME`
// (versioned files generated from the models) over its models:
//
//	os.Exit(migratecmd.Run(ctx, os.Args[1:], os.Stdout, os.Stderr, migratecmd.Options{
//		Auto: migratecmd.Models(migrate.AutoOptions{}, User{}, Post{}),
//	}))
func Models(opts migrate.AutoOptions, models ...any) func(db migrate.DB) (AutoMigrator, error) {
	return func(db migrate.DB) (AutoMigrator, error) {
		a, err := migrate.NewAuto(db, models, opts)
		if err != nil {
			return nil, err
		}
		return autoModels{a: a, models: models, opts: opts}, nil
	}
}

// autoModels adapts *migrate.AutoMigrator to AutoMigrator; it keeps the
// models and options so `diff` can plan them against a scratch database.
type autoModels struct {
	a      *migrate.AutoMigrator
	models []any
	opts   migrate.AutoOptions
}

func (m autoModels) Plan(ctx context.Context) (AutoPlan, error) {
	p, err := m.a.Plan(ctx)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Apply returns the plan it applied (made inside the migration lock).
func (m autoModels) Apply(ctx context.Context) (AutoPlan, error) {
	res, err := m.a.Apply(ctx)
	if err != nil {
		return nil, err
	}
	return res.Plan, nil
}
