package migratecmd

import (
	"context"
	"errors"

	"github.com/normkit/norm/migrate"
)

// Models returns an Options.Auto that plans and applies auto-migrations
// to the schema of models (see migrate.NewAuto), so a service's own
// cmd/migrate offers `plan`, `plan --check`, `apply` and `diff NAME`
// (versioned files generated from the models) and `erd` over its models.
// Called with a nil db, the function returns an AutoMigrator that only
// carries the models (for `erd`); its Plan and Apply fail.
//
//	os.Exit(migratecmd.Run(ctx, os.Args[1:], os.Stdout, os.Stderr, migratecmd.Options{
//		Auto: migratecmd.Models(migrate.AutoOptions{}, User{}, Post{}),
//	}))
func Models(opts migrate.AutoOptions, models ...any) func(db migrate.DB) (AutoMigrator, error) {
	return func(db migrate.DB) (AutoMigrator, error) {
		if db == nil { // erd draws the models without a database
			if _, err := migrate.FromModels(models...); err != nil {
				return nil, err
			}
			return autoModels{models: models, opts: opts}, nil
		}
		a, err := migrate.NewAuto(db, models, opts)
		if err != nil {
			return nil, err
		}
		return autoModels{a: a, db: db, models: models, opts: opts}, nil
	}
}

var errNoDatabase = errors.New("migrate: the models were given no database (Options.Auto called with a nil db)")

// autoModels adapts *migrate.AutoMigrator to AutoMigrator; it keeps the
// models and options so `diff` can plan them against a scratch database.
type autoModels struct {
	a      *migrate.AutoMigrator
	db     migrate.DB
	models []any
	opts   migrate.AutoOptions
}

// withIndexProgress returns m with fn receiving the samples of the index
// builds Apply runs, unless the options already name a receiver.
func (m autoModels) withIndexProgress(fn func(migrate.IndexProgress)) (autoModels, error) {
	if m.a == nil || m.opts.OnIndexProgress != nil {
		return m, nil
	}
	m.opts.OnIndexProgress = fn
	a, err := migrate.NewAuto(m.db, m.models, m.opts)
	if err != nil {
		return m, err
	}
	m.a = a
	return m, nil
}

func (m autoModels) Plan(ctx context.Context) (AutoPlan, error) {
	if m.a == nil {
		return nil, errNoDatabase
	}
	p, err := m.a.Plan(ctx)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Apply returns the plan it applied (made inside the migration lock).
func (m autoModels) Apply(ctx context.Context) (AutoPlan, error) {
	if m.a == nil {
		return nil, errNoDatabase
	}
	res, err := m.a.Apply(ctx)
	if err != nil {
		return nil, err
	}
	return res.Plan, nil
}
