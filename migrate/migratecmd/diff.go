package migratecmd

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/normkit/norm/migrate"
	"github.com/normkit/norm/migrate/versioned"
)

// genFile is one versioned migration `diff` generates: an up file and
// the down file that undoes it.
type genFile struct {
	version  int64
	prefix   string // NNNN_name
	noTx     bool
	steps    []migrate.Step
	up, down string
}

// diff replays the migration files on a scratch database, plans the
// models against the result, and writes the plan as the next versioned
// migration files (see the usage text and docs/guides/migrate.md).
// Nothing is written unless the generated files, applied on the scratch
// database, reproduce the models exactly (the re-plan is empty).
func (r *runner) diff(ctx context.Context) (int, error) {
	name, err := r.migrationName()
	if err != nil {
		return ExitError, err
	}
	if r.opts.Auto == nil {
		return ExitError, fmt.Errorf("migrate: diff works on Go models, which normctl cannot see: build your own cmd/migrate with migratecmd.Options.Auto set to migratecmd.Models(…)")
	}
	sc, done, err := r.openScratch(ctx)
	if err != nil {
		return ExitError, err
	}
	defer done()
	g := &generator{r: r, db: sc, name: name, dir: r.dirName()}
	files, err := g.run(ctx)
	if err != nil {
		return ExitError, err
	}
	if len(files) == 0 {
		_, err := fmt.Fprintf(r.out, "nothing to do: the migrations in %s already produce the models' schema; no file written\n", g.dir)
		return ExitOK, err
	}
	return ExitOK, r.writeGenerated(g.dir, files)
}

// migrationName is the NAME argument of create and diff.
func (r *runner) migrationName() (string, error) {
	if len(r.cl.args) != 1 {
		return "", fmt.Errorf("migrate: %s needs exactly one NAME argument", r.cl.command)
	}
	name := r.cl.args[0]
	if name == "" || strings.IndexFunc(name, func(c rune) bool {
		return c != '_' && c != '-' && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9')
	}) >= 0 {
		return "", fmt.Errorf("migrate: %s: name %q may hold only letters, digits, '_' and '-'", r.cl.command, name)
	}
	return name, nil
}

// writeGenerated writes every file or none: a file that exists already
// stops the write and removes what this call wrote.
func (r *runner) writeGenerated(dir string, files []genFile) error {
	if r.cl.dryRun {
		for _, f := range files {
			_, _ = fmt.Fprintf(r.out, "would create %s\n%s\nwould create %s\n%s\n",
				filepath.Join(dir, f.prefix+".up.sql"), f.up, filepath.Join(dir, f.prefix+".down.sql"), f.down)
		}
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("migrate: diff: %w", err)
	}
	var written []string
	for _, f := range files {
		for _, pair := range [][2]string{{f.prefix + ".up.sql", f.up}, {f.prefix + ".down.sql", f.down}} {
			p := filepath.Join(dir, pair[0])
			if err := writeNew(p, pair[1], "diff"); err != nil {
				for _, w := range written {
					_ = os.Remove(w)
				}
				return fmt.Errorf("%w (nothing written)", err)
			}
			written = append(written, p)
		}
	}
	for _, p := range written {
		if _, err := fmt.Fprintln(r.out, p); err != nil {
			return err
		}
	}
	return nil
}

// generator carries one diff run.
type generator struct {
	r    *runner
	db   *scratch
	name string
	dir  string
	// stage is a temporary copy of the migrations directory, with the
	// generated files added, that the scratch database runs from.
	stage string
}

func (g *generator) run(ctx context.Context) ([]genFile, error) {
	var err error
	if g.stage, err = stageDir(g.dir); err != nil {
		return nil, err
	}
	defer func() { _ = os.RemoveAll(g.stage) }()
	mg, err := g.migrator(false)
	if err == nil {
		_, err = mg.Up(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("migrate: diff: replay the migrations of %s on the scratch database: %w", g.dir, err)
	}
	am, err := g.r.opts.Auto(g.db.pool)
	if err != nil {
		return nil, err
	}
	m, ok := am.(autoModels)
	if !ok {
		return nil, fmt.Errorf("migrate: diff needs the models themselves: set Options.Auto with migratecmd.Models(…), not an AutoMigrator of your own")
	}
	opts := m.opts
	opts.Online, opts.AssumePopulated = true, true
	planner, err := migrate.NewAuto(g.db.pool, m.models, opts)
	if err != nil {
		return nil, err
	}
	plan, err := planner.Plan(ctx)
	if err != nil {
		return nil, err
	}
	if plan.Empty() {
		return nil, nil
	}
	if err := g.checkDestructive(plan); err != nil {
		return nil, err
	}
	before, err := migrate.ReadCatalog(ctx, g.db.pool, catalogSchemas(planner.Desired())...)
	if err != nil {
		return nil, err
	}
	files, err := g.split(plan, before, planner.Desired())
	if err != nil {
		return nil, err
	}
	if err := g.verify(ctx, planner, plan.ServerVersion, files, before); err != nil {
		return nil, err
	}
	return files, nil
}

// checkDestructive refuses a plan with destructive steps unless
// --allow-destructive was given.
func (g *generator) checkDestructive(plan *migrate.Plan) error {
	if g.r.cl.allowDestructive {
		return nil
	}
	var refused []string
	for _, s := range plan.Steps {
		if s.Severity() == migrate.Destructive {
			refused = append(refused, fmt.Sprintf("%s on %s (%s)", s.Kind, s.Table, s.SQL))
		}
	}
	if len(refused) == 0 {
		return nil
	}
	return fmt.Errorf("migrate: diff: the models need destructive steps: %s; nothing written: pass --allow-destructive to write them (each carries its hazard as a comment)", strings.Join(refused, "; "))
}

// split puts the transactional steps in one file and the steps that run
// outside a transaction in the next, with the no-transaction directive.
func (g *generator) split(plan *migrate.Plan, before, desired *migrate.Schema) ([]genFile, error) {
	next, width, err := nextVersion(g.dir)
	if err != nil {
		return nil, err
	}
	var tx, noTx []migrate.Step
	for _, s := range plan.Steps {
		if s.Transactional {
			tx = append(tx, s)
		} else {
			noTx = append(noTx, s)
		}
	}
	var files []genFile
	add := func(steps []migrate.Step, suffix string, outside bool) {
		if len(steps) == 0 {
			return
		}
		prefix := fmt.Sprintf("%0*d_%s%s", width, next, g.name, suffix)
		var locks []string
		if !outside {
			locks = upfrontLocks(steps, before, desired)
		}
		files = append(files, genFile{version: next, prefix: prefix, noTx: outside, steps: steps,
			up: renderUp(prefix+".up.sql", "diff "+g.name, steps, locks, outside)})
		next++
	}
	add(tx, "", false)
	add(noTx, "_online", true)
	return files, nil
}

// verify applies the generated up files one by one on the scratch
// database, checks that the models then plan empty, plans each down file
// from the schema after its up back to the schema before it, and runs the
// downs to check they restore it.
func (g *generator) verify(ctx context.Context, planner *migrate.AutoMigrator, serverVersion int, files []genFile, before *migrate.Schema) error {
	schemas := catalogSchemas(planner.Desired())
	states := []*migrate.Schema{before}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(g.stage, f.prefix+".up.sql"), []byte(f.up), 0o644); err != nil {
			return fmt.Errorf("migrate: diff: stage %s: %w", f.prefix, err)
		}
		mg, err := g.migrator(false)
		if err == nil {
			_, err = mg.UpTo(ctx, f.version)
		}
		if err != nil {
			return fmt.Errorf("migrate: diff: the generated %s.up.sql fails on the scratch database: %w", f.prefix, err)
		}
		after, err := migrate.ReadCatalog(ctx, g.db.pool, schemas...)
		if err != nil {
			return err
		}
		states = append(states, after)
	}
	replan, err := planner.Plan(ctx)
	if err != nil {
		return err
	}
	if !replan.Empty() {
		return fmt.Errorf("migrate: diff: the generated files do not reproduce the models (nothing written); after them the planner still wants:\n%s", replan.Text())
	}
	return g.downs(ctx, planner.Desired(), serverVersion, files, states)
}

// downs plans each down file from the schema after its up back to the
// schema before it, then checks them on the scratch database: written
// into the stage (and accepted there with Baseline, since the versions
// were applied before their down files existed), they run last version
// first, and after each the schema must be the one before its up. A down
// that fails or does not restore the schema is replaced by a note saying
// so, and so are the downs of earlier versions, which can no longer be
// checked.
func (g *generator) downs(ctx context.Context, desired *migrate.Schema, serverVersion int, files []genFile, states []*migrate.Schema) error {
	targets := make([]*migrate.Schema, len(files))
	for i := range files {
		f := &files[i]
		target, lost := reverseTarget(states[i], states[i+1], desired)
		targets[i] = target
		down := migrate.Diff(states[i+1], target, migrate.PlanOptions{ServerVersion: serverVersion, DropTables: addedTables(states[i+1], target)})
		f.down = renderDown(f.prefix+".down.sql", f.prefix+".up.sql", down.Steps, lost, "")
		if err := os.WriteFile(filepath.Join(g.stage, f.prefix+".down.sql"), []byte(f.down), 0o644); err != nil {
			return fmt.Errorf("migrate: diff: stage %s: %w", f.prefix, err)
		}
	}
	mg, err := g.migrator(true)
	if err == nil {
		_, err = mg.Baseline(ctx, files[len(files)-1].version)
	}
	if err != nil {
		return fmt.Errorf("migrate: diff: accept the generated files on the scratch database: %w", err)
	}
	note := ""
	for i := len(files) - 1; i >= 0; i-- {
		f := &files[i]
		if note == "" {
			note = g.checkDown(ctx, mg, f, targets[i], serverVersion, catalogSchemas(desired))
		}
		if note != "" {
			f.down = renderDown(f.prefix+".down.sql", f.prefix+".up.sql", nil, nil, note)
		}
	}
	return nil
}

// checkDown rolls back the last version on the scratch database and
// returns why its down is not right, or "".
func (g *generator) checkDown(ctx context.Context, mg *versioned.Migrator, f *genFile, target *migrate.Schema, serverVersion int, schemas []string) string {
	if _, err := mg.Down(ctx, 1); err != nil {
		return fmt.Sprintf("the reverse plan failed on the scratch database: %v", err)
	}
	now, err := migrate.ReadCatalog(ctx, g.db.pool, schemas...)
	if err != nil {
		return fmt.Sprintf("reading the scratch database after the down failed: %v", err)
	}
	rest := migrate.Diff(now, target, migrate.PlanOptions{ServerVersion: serverVersion, DropTables: addedTables(now, target)})
	if rest.Empty() {
		return ""
	}
	_, _ = fmt.Fprintf(g.r.errOut, "migrate: diff: %s.down.sql does not restore the schema before its up; still different:\n%s", f.prefix, rest.Text())
	return "the reverse plan did not restore the schema before " + f.prefix + ".up.sql on the scratch database"
}

// catalogSchemas lists public and the schemas of desired's tables.
func catalogSchemas(desired *migrate.Schema) []string {
	out := []string{"public"}
	for _, t := range desired.Tables {
		found := false
		for _, s := range out {
			found = found || s == t.Schema
		}
		if !found {
			out = append(out, t.Schema)
		}
	}
	return out
}

// migrator reads the staged files (and Options.Go) for the scratch
// database.
func (g *generator) migrator(allowDestructiveDown bool) (*versioned.Migrator, error) {
	mopts := g.r.opts.Migrator
	mopts.AllowDestructiveDown = allowDestructiveDown
	mopts.Progress, mopts.DryRun = nil, false
	mg, err := versioned.NewMigrator(g.db.pool, os.DirFS(g.stage), mopts)
	if err != nil {
		return nil, err
	}
	for _, gm := range g.r.opts.Go {
		if err := mg.AddGo(gm.Version, gm.Name, gm.Up, gm.Down); err != nil {
			return nil, err
		}
	}
	return mg, nil
}

// stageDir copies the .sql files of dir (none when it does not exist)
// into a new temporary directory.
func stageDir(dir string) (string, error) {
	stage, err := os.MkdirTemp("", "norm-diff-")
	if err != nil {
		return "", fmt.Errorf("migrate: diff: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return stage, nil
	}
	if err != nil {
		_ = os.RemoveAll(stage)
		return "", fmt.Errorf("migrate: diff: %w", err)
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err == nil {
			err = os.WriteFile(filepath.Join(stage, e.Name()), data, 0o644)
		}
		if err != nil {
			_ = os.RemoveAll(stage)
			return "", fmt.Errorf("migrate: diff: %w", err)
		}
	}
	return stage, nil
}
