package migratecmd

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/normkit/norm/migrate/versioned"
)

// lint runs the pending migration files on a scratch database and
// prints what they did (versioned.Migrator.Lint). Pending means above
// the highest version applied on --dsn (or DATABASE_URL) when one is
// given, every file otherwise. With --check it exits ExitUnsafe when a
// finding is unsafe or destructive and no allow comment accepts it.
func (r *runner) lint(ctx context.Context) (int, error) {
	from, err := r.lintFrom(ctx)
	if err != nil {
		return ExitError, err
	}
	sc, done, err := r.openScratch(ctx)
	if err != nil {
		return ExitError, err
	}
	defer done()
	mopts := r.opts.Migrator
	mopts.Progress, mopts.OnProgress, mopts.DryRun = nil, nil, false
	if r.cl.history != "" {
		mopts.HistoryTable = r.cl.history
	}
	mg, err := versioned.NewMigrator(sc.pool, r.source(), mopts)
	if err != nil {
		return ExitError, err
	}
	for _, g := range r.opts.Go {
		if err := mg.AddGo(g.Version, g.Name, g.Up, g.Down); err != nil {
			return ExitError, err
		}
	}
	report, err := mg.Lint(ctx, versioned.LintOptions{From: from})
	if err != nil {
		return ExitError, err
	}
	if r.cl.json {
		data, err := json.MarshalIndent(report, "", "  ")
		if err == nil {
			_, err = fmt.Fprintf(r.out, "%s\n", data)
		}
		if err != nil {
			return ExitError, err
		}
	} else {
		text := report.Text()
		if len(report.Files) == 0 {
			text = fmt.Sprintf("nothing to lint: no migration above version %d in %s\n", from, r.dirName())
		}
		if _, err := fmt.Fprint(r.out, text); err != nil {
			return ExitError, err
		}
	}
	if r.cl.check && report.Unsafe() {
		_, _ = fmt.Fprintln(r.errOut, "migrate: lint: unsafe or destructive findings (accept one with -- norm:allow CODE REASON)")
		return ExitUnsafe, nil
	}
	return ExitOK, nil
}

// lintFrom is the highest version applied on the target database, or 0
// when no database is given.
func (r *runner) lintFrom(ctx context.Context) (int64, error) {
	getenv := r.getenv()
	if r.cl.dsn == "" && getenv("DATABASE_URL") == "" {
		return 0, nil
	}
	db, closeDB, err := r.connect(ctx)
	if err != nil {
		return 0, err
	}
	defer closeDB()
	mopts := r.opts.Migrator
	if r.cl.history != "" {
		mopts.HistoryTable = r.cl.history
	}
	mg, err := versioned.NewMigrator(db, r.source(), mopts)
	if err != nil {
		return 0, err
	}
	sts, err := mg.Status(ctx)
	if err != nil {
		return 0, err
	}
	var from int64
	for _, s := range sts {
		if s.State == versioned.StateApplied {
			from = max(from, s.Version)
		}
	}
	return from, nil
}
