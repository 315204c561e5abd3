package migratecmd

import (
	"context"
	"fmt"
	"strconv"

	"github.com/normkit/norm/migrate/versioned"
)

// withMigrator opens the database, builds the Migrator and runs a file
// migration command.
func (r *runner) withMigrator(ctx context.Context) (int, error) {
	db, closeDB, err := r.connect(ctx)
	if err != nil {
		return ExitError, err
	}
	defer closeDB()
	mopts := r.opts.Migrator
	mopts.DryRun = mopts.DryRun || r.cl.dryRun
	mopts.AllowDestructiveDown = mopts.AllowDestructiveDown || r.cl.destroy
	mopts.AllowOutOfOrder = mopts.AllowOutOfOrder || r.cl.ooo
	if r.cl.history != "" {
		mopts.HistoryTable = r.cl.history
	}
	if r.cl.lockTimeout != nil {
		mopts.LockTimeout = *r.cl.lockTimeout
	}
	if r.cl.stmtTimeout != nil {
		mopts.StatementTimeout = *r.cl.stmtTimeout
	}
	if mopts.OnProgress == nil {
		out := newProgressOut(r.errOut)
		mopts.OnProgress = out.file
		if mopts.Progress == nil && !r.cl.json {
			mopts.Progress = out.lines()
		}
	}
	if mopts.Progress == nil && !r.cl.json {
		mopts.Progress = r.errOut
	}
	mg, err := versioned.NewMigrator(db, r.source(), mopts)
	if err != nil {
		return ExitError, err
	}
	for _, g := range r.opts.Go {
		if err := mg.AddGo(g.Version, g.Name, g.Up, g.Down); err != nil {
			return ExitError, err
		}
	}
	if r.cl.command == "status" {
		return r.status(ctx, mg)
	}
	results, err := r.fileCommand(ctx, mg)
	if perr := r.printResults(results, mopts.DryRun); perr != nil && err == nil {
		err = perr
	}
	if err != nil {
		return ExitError, err
	}
	return ExitOK, nil
}

// status prints every version, then names on stderr each one that needs
// attention and exits ExitNeedsAttention if there is any.
func (r *runner) status(ctx context.Context, mg *versioned.Migrator) (int, error) {
	sts, err := mg.Status(ctx)
	if err != nil {
		return ExitError, err
	}
	if err := r.printStatus(sts); err != nil {
		return ExitError, err
	}
	problems := statusProblems(sts)
	if len(problems) == 0 {
		return ExitOK, nil
	}
	_, _ = fmt.Fprintf(r.errOut, "migrate: status: %d version(s) need attention:\n", len(problems))
	for _, p := range problems {
		_, _ = fmt.Fprintf(r.errOut, "  %s\n", p)
	}
	return ExitNeedsAttention, nil
}

// statusProblems describes each version whose state needs attention:
// the version, its source and what to do.
func statusProblems(sts []versioned.MigrationStatus) []string {
	var out []string
	for _, s := range sts {
		if !s.State.NeedsAttention() {
			continue
		}
		src := s.Source
		if src == "" {
			src = s.Name
		}
		var what string
		switch s.State {
		case versioned.StateDirty:
			what = fmt.Sprintf("is dirty: it ran outside a transaction and did not finish; check what took effect, then finish it by hand and run `migrate baseline %d`, or undo it and run `migrate forget %d`", s.Version, s.Version)
		case versioned.StateDrift:
			what = fmt.Sprintf("has drift: its up or down file changed after it was applied; restore the file, or run `migrate baseline %d` to accept the new content", s.Version)
		default: // versioned.StateMissing
			what = "is missing: it is recorded as applied but no file or Go migration has that version; restore the file or check --dir"
		}
		out = append(out, fmt.Sprintf("version %d (%s) %s", s.Version, src, what))
	}
	return out
}

// fileCommand runs up, down, redo, baseline or forget.
func (r *runner) fileCommand(ctx context.Context, mg *versioned.Migrator) ([]versioned.MigrationResult, error) {
	switch r.cl.command {
	case "up":
		if r.cl.toSet {
			return mg.UpTo(ctx, r.cl.to)
		}
		return mg.Up(ctx)
	case "down":
		return r.down(ctx, mg)
	case "redo":
		return mg.Redo(ctx)
	case "baseline":
		v, err := r.positionalVersion()
		if err != nil {
			return nil, err
		}
		return mg.Baseline(ctx, v)
	}
	v, err := r.positionalVersion() // forget
	if err != nil {
		return nil, err
	}
	return mg.Forget(ctx, v)
}

func (r *runner) down(ctx context.Context, mg *versioned.Migrator) ([]versioned.MigrationResult, error) {
	if r.cl.toSet {
		if len(r.cl.args) > 0 {
			return nil, fmt.Errorf("migrate: down takes either N or --to V, not both")
		}
		return mg.DownTo(ctx, r.cl.to)
	}
	n := 1
	switch len(r.cl.args) {
	case 0:
	case 1:
		v, err := strconv.Atoi(r.cl.args[0])
		if err != nil || v < 1 {
			return nil, fmt.Errorf("migrate: down: step count %q is not a positive integer", r.cl.args[0])
		}
		n = v
	default:
		return nil, fmt.Errorf("migrate: down takes at most one argument (the number of steps)")
	}
	return mg.Down(ctx, n)
}

// auto runs plan or apply through Options.Auto.
func (r *runner) auto(ctx context.Context) (int, error) {
	if r.opts.Auto == nil {
		return ExitError, fmt.Errorf("migrate: %s works on Go models, which normctl cannot see: build your own cmd/migrate with migratecmd.Options.Auto set", r.cl.command)
	}
	db, closeDB, err := r.connect(ctx)
	if err != nil {
		return ExitError, err
	}
	defer closeDB()
	am, err := r.opts.Auto(db)
	if err != nil {
		return ExitError, err
	}
	var plan AutoPlan
	if r.cl.command == "apply" && !r.cl.dryRun {
		if m, ok := am.(autoModels); ok { // the models' own AutoMigrator: show its index builds
			if am, err = m.withIndexProgress(newProgressOut(r.errOut).step); err != nil {
				return ExitError, err
			}
		}
		plan, err = am.Apply(ctx)
	} else {
		plan, err = am.Plan(ctx)
	}
	if err != nil {
		return ExitError, err
	}
	if err := r.printPlan(plan); err != nil {
		return ExitError, err
	}
	if r.cl.command == "plan" && r.cl.check && plan.Unsafe() {
		_, _ = fmt.Fprintln(r.errOut, "migrate: plan has unsafe or destructive steps")
		return ExitUnsafe, nil
	}
	return ExitOK, nil
}
