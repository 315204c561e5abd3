package versioned

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Baseline marks every known version up to and including v as applied
// without running it — for adopting a database whose schema already
// matches, or for resolving a dirty version finished by hand. It also
// accepts the current content of drifted files up to v. v must be a known
// version.
func (mg *Migrator) Baseline(ctx context.Context, v int64) ([]MigrationResult, error) {
	if mg.find(v) == nil {
		return nil, fmt.Errorf("%w: Baseline(%d): no migration has that version", ErrUnknownVersion, v)
	}
	hist, err := mg.ensureHistory(ctx)
	if err != nil {
		return nil, err
	}
	var todo []*Migration
	for _, st := range statuses(mg.migrations, hist, nil) {
		if st.Version <= v && (st.State == StatePending || st.State == StateDirty || st.State == StateDrift) {
			todo = append(todo, mg.find(st.Version))
		}
	}
	results := make([]MigrationResult, 0, len(todo))
	for _, m := range todo {
		res := resultOf(m, DirectionBaseline, 0)
		res.DryRun = mg.opts.DryRun
		results = append(results, res)
	}
	if mg.opts.DryRun || len(todo) == 0 {
		return results, nil
	}
	_, err = mg.lockedTx(ctx, func(tx pgx.Tx) (bool, error) {
		for _, m := range todo {
			if err := mg.hist.accept(ctx, tx, m); err != nil {
				return false, err
			}
		}
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	return results, nil
}

// Forget removes the history row of a dirty version, after its partial
// effects were undone by hand, so the next Up runs it again. A clean
// version is refused (use Down to roll it back).
func (mg *Migrator) Forget(ctx context.Context, v int64) ([]MigrationResult, error) {
	hist, err := mg.history(ctx)
	if err != nil {
		return nil, err
	}
	var row *historyRow
	for i := range hist {
		if hist[i].Version == v {
			row = &hist[i]
		}
	}
	switch {
	case row == nil:
		return nil, fmt.Errorf("%w: Forget(%d): the version is not recorded", ErrUnknownVersion, v)
	case !row.Dirty:
		return nil, fmt.Errorf("migrate: Forget(%d): the version is applied and clean; use Down to roll it back", v)
	}
	res := MigrationResult{Version: v, Name: row.Name, Source: row.Name, Direction: DirectionForget, DryRun: mg.opts.DryRun}
	if m := mg.find(v); m != nil {
		res.Source = m.Source()
	}
	if mg.opts.DryRun {
		return []MigrationResult{res}, nil
	}
	_, err = mg.lockedTx(ctx, func(tx pgx.Tx) (bool, error) {
		return true, mg.hist.delete(ctx, tx, v)
	})
	if err != nil {
		return nil, err
	}
	return []MigrationResult{res}, nil
}
