package migratecmd

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/normkit/norm/migrate"
)

// erd prints the schema as a Mermaid erDiagram (migrate.ERD): of the
// models when the command has them and --dsn is not given, else of the
// live database (--dsn or DATABASE_URL), schemas from --schema, without
// the migrators' history tables.
func (r *runner) erd(ctx context.Context) (int, error) {
	if len(r.cl.args) != 0 {
		return ExitError, fmt.Errorf("migrate: erd takes no arguments (got %q)", strings.Join(r.cl.args, " "))
	}
	var s *migrate.Schema
	am, ok, modelsErr := r.modelsAdapter()
	if ok && r.cl.dsn == "" {
		var err error
		if s, err = migrate.FromModels(am.models...); err != nil {
			return ExitError, err
		}
	} else {
		live, err := r.liveSchema(ctx)
		if err != nil {
			return ExitError, errors.Join(modelsErr, err)
		}
		s = live
	}
	_, err := fmt.Fprint(r.out, migrate.ERD(s))
	return ExitOK, err
}

// modelsAdapter returns the models behind Options.Auto when it was made
// by Models (called with a nil db, which Models allows), or the error
// Options.Auto gave.
func (r *runner) modelsAdapter() (autoModels, bool, error) {
	if r.opts.Auto == nil {
		return autoModels{}, false, nil
	}
	am, err := r.opts.Auto(nil)
	if err != nil {
		return autoModels{}, false, err
	}
	m, ok := am.(autoModels)
	return m, ok, nil
}

// liveSchema reads the catalog of the database for --schema, leaving out
// the history tables of both migrators.
func (r *runner) liveSchema(ctx context.Context) (*migrate.Schema, error) {
	schemas := []string{"public"}
	if r.cl.schemas != "" {
		schemas = nil
		for _, s := range strings.Split(r.cl.schemas, ",") {
			if s = strings.TrimSpace(s); s == "" {
				return nil, fmt.Errorf("migrate: erd: --schema %q has an empty name", r.cl.schemas)
			}
			schemas = append(schemas, s)
		}
	}
	db, closeDB, err := r.connect(ctx)
	if err != nil {
		return nil, err
	}
	defer closeDB()
	conn, err := db.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: erd: %w", err)
	}
	defer conn.Release()
	s, err := migrate.ReadCatalog(ctx, conn, schemas...)
	if err != nil {
		return nil, err
	}
	skip := map[string]bool{}
	for _, h := range []string{r.opts.Migrator.HistoryTable, r.cl.history, "schema_migrations", "norm_auto_migrations"} {
		if h == "" {
			continue
		}
		if !strings.Contains(h, ".") {
			h = "public." + h
		}
		skip[h] = true
	}
	kept := s.Tables[:0]
	for _, t := range s.Tables {
		if !skip[t.QualifiedName()] {
			kept = append(kept, t)
		}
	}
	s.Tables = kept
	return s, nil
}
