package versioned

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Down rolls back the n most recent (highest) applied versions, newest
// first. Before running anything it checks every one: a missing
// migration (ErrUnknownVersion), a dirty version (ErrDirty), a file
// changed since the version was applied (ErrDrift: its down may no longer
// undo what ran), no down (ErrNoDown) and the destructive-statement gates
// (ErrGateRefused).
func (mg *Migrator) Down(ctx context.Context, n int) ([]MigrationResult, error) {
	if n < 1 {
		return nil, fmt.Errorf("migrate: Down(%d): need at least one step", n)
	}
	hist, err := mg.history(ctx)
	if err != nil {
		return nil, err
	}
	var targets []historyRow
	for i := len(hist) - 1; i >= 0 && len(targets) < n; i-- {
		targets = append(targets, hist[i])
	}
	if len(targets) < n {
		return nil, fmt.Errorf("%w: Down(%d): only %d versions are applied", ErrUnknownVersion, n, len(targets))
	}
	return mg.downList(ctx, targets, true)
}

// DownTo rolls back every applied version above v, newest first (v = 0
// rolls back everything), with the checks of Down.
func (mg *Migrator) DownTo(ctx context.Context, v int64) ([]MigrationResult, error) {
	if v < 0 {
		return nil, fmt.Errorf("migrate: DownTo(%d): version must not be negative", v)
	}
	hist, err := mg.history(ctx)
	if err != nil {
		return nil, err
	}
	var targets []historyRow
	for i := len(hist) - 1; i >= 0 && hist[i].Version > v; i-- {
		targets = append(targets, hist[i])
	}
	return mg.downList(ctx, targets, true)
}

// downList rolls back targets, newest first, after checking them all;
// without checkDrift, a changed file is rolled back with its current down.
func (mg *Migrator) downList(ctx context.Context, targets []historyRow, checkDrift bool) ([]MigrationResult, error) {
	ms := make([]*Migration, 0, len(targets))
	for _, r := range targets {
		m, err := mg.checkDown(r, checkDrift)
		if err != nil {
			return nil, err
		}
		ms = append(ms, m)
	}
	var results []MigrationResult
	for _, m := range ms {
		if mg.opts.DryRun {
			results = append(results, mg.planned(m, DirectionDown))
			continue
		}
		res, done, err := mg.applyDown(ctx, m)
		if err != nil {
			return results, err
		}
		if done {
			results = append(results, res)
		}
	}
	return results, nil
}

// checkDown validates one rollback before anything runs.
func (mg *Migrator) checkDown(r historyRow, checkDrift bool) (*Migration, error) {
	m := mg.find(r.Version)
	switch {
	case m == nil:
		return nil, fmt.Errorf("%w: version %d (%s) is recorded as applied but no file or Go migration has it", ErrUnknownVersion, r.Version, r.Name)
	case r.Dirty:
		return nil, fmt.Errorf("%w: version %d (%s): %s", ErrDirty, m.Version, m.Source(), recoveryHint)
	case checkDrift && m.checksumMatch(r.Checksum) == checksumDiffers:
		return nil, fmt.Errorf("%w: version %d (%s) changed after it was applied, so its down may not undo what ran; "+
			"restore the files as they were, or run `migrate baseline %d` to accept the new content, then roll back",
			ErrDrift, m.Version, m.Source(), m.Version)
	case !m.HasDown():
		return nil, fmt.Errorf("%w: version %d (%s) has no down file or function", ErrNoDown, m.Version, m.Source())
	}
	if m.down == nil || mg.opts.AllowDestructiveDown {
		return m, nil
	}
	for _, st := range m.down.Statements {
		if reason := gate(st); reason != "" {
			return nil, &GateError{Version: m.Version, File: m.down.Path, Line: st.Line, Statement: st.Code, Reason: reason}
		}
	}
	return m, nil
}

func (mg *Migrator) applyDown(ctx context.Context, m *Migration) (MigrationResult, bool, error) {
	mg.progress("rolling back %d %s", m.Version, m.Name)
	start := time.Now()
	var done bool
	var err error
	if m.down != nil && m.down.NoTransaction {
		done, err = mg.downOutsideTx(ctx, m)
	} else {
		done, err = mg.lockedTx(ctx, func(tx pgx.Tx) (bool, error) {
			r, found, err := mg.hist.row(ctx, tx, m.Version)
			if err != nil || !found {
				return false, err
			}
			if r.Dirty {
				return false, fmt.Errorf("%w: version %d (%s): %s", ErrDirty, m.Version, m.Source(), recoveryHint)
			}
			if m.Kind == KindGo {
				err = goErr(m, DirectionDown, m.goDown(ctx, tx))
			} else {
				err = execScript(ctx, tx, m, m.down, DirectionDown)
			}
			if err != nil {
				return false, err
			}
			return true, mg.hist.delete(ctx, tx, m.Version)
		})
	}
	took := time.Since(start)
	if err != nil || !done {
		return MigrationResult{}, false, err
	}
	mg.progress("rolled back %d %s in %s", m.Version, m.Name, took.Round(time.Millisecond))
	return resultOf(m, DirectionDown, took), true, nil
}

// downOutsideTx runs a no-transaction down file, marking the version dirty
// while it runs.
func (mg *Migrator) downOutsideTx(ctx context.Context, m *Migration) (bool, error) {
	conn, release, err := mg.sessionConn(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	r, found, err := mg.hist.row(ctx, conn, m.Version)
	switch {
	case err != nil || !found:
		return false, err
	case r.Dirty:
		return false, fmt.Errorf("%w: version %d (%s): %s", ErrDirty, m.Version, m.Source(), recoveryHint)
	}
	if err := mg.hist.markDirty(ctx, conn, m.Version); err != nil {
		return false, err
	}
	if err := execScript(ctx, conn, m, m.down, DirectionDown); err != nil {
		return false, fmt.Errorf("%w\n%w: version %d (%s) is recorded dirty: %s", err, ErrDirty, m.Version, m.down.Path, recoveryHint)
	}
	return true, mg.hist.delete(ctx, conn, m.Version)
}

// Redo rolls back the highest applied version and applies it again
// (useful while writing a migration). With DryRun it reports both steps.
// Unlike Down, it rolls back a version whose files changed since it was
// applied (with the current down file): that is what editing a migration
// being written and redoing it means. The other checks of Down apply.
func (mg *Migrator) Redo(ctx context.Context) ([]MigrationResult, error) {
	hist, err := mg.history(ctx)
	if err != nil {
		return nil, err
	}
	if len(hist) == 0 {
		return nil, fmt.Errorf("%w: Redo: no version is applied", ErrUnknownVersion)
	}
	last := hist[len(hist)-1]
	down, err := mg.downList(ctx, []historyRow{last}, false)
	if err != nil || mg.opts.DryRun {
		if err == nil {
			down = append(down, mg.planned(mg.find(last.Version), DirectionUp))
		}
		return down, err
	}
	up, err := mg.UpTo(ctx, last.Version)
	return append(down, up...), err
}
