package versioned

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// MigrationState is where a migration stands in a database.
type MigrationState string

// Migration states reported by Migrator.Status.
const (
	StatePending MigrationState = "pending" // known, not applied
	StateApplied MigrationState = "applied" // applied, file unchanged
	StateDirty   MigrationState = "dirty"   // started outside a transaction and not finished
	StateDrift   MigrationState = "drift"   // applied, but the up or down file changed since
	StateMissing MigrationState = "missing" // recorded as applied, but no file or Go migration has the version
)

// NeedsAttention reports the states a person has to resolve: dirty,
// drift and missing (`migrate status` then exits 3). Pending and applied
// versions are normal.
func (s MigrationState) NeedsAttention() bool {
	return s == StateDirty || s == StateDrift || s == StateMissing
}

// MigrationStatus is one line of Migrator.Status.
type MigrationStatus struct {
	Version int64          `json:"version"`
	Name    string         `json:"name"`
	Kind    MigrationKind  `json:"kind"`
	State   MigrationState `json:"state"`
	// Source is the up file or "go migration …"; empty for StateMissing.
	Source string `json:"source,omitempty"`
	// AppliedAt and Duration are zero for pending migrations.
	AppliedAt time.Time     `json:"applied_at,omitzero"`
	Duration  time.Duration `json:"duration_ns,omitempty"`
	// NoTransaction is set for files with the no-transaction directive.
	NoTransaction bool `json:"no_transaction,omitempty"`
	// Warnings lists hazards of pending files (see Migration.Warnings).
	Warnings []string `json:"warnings,omitempty"`
}

// statuses merges the known migrations with the history rows, in
// version order. With warnWith set, pending migrations get their Warnings
// under those options (lexing every statement: only Status shows them).
func statuses(known []*Migration, hist []historyRow, warnWith *MigratorOptions) []MigrationStatus {
	applied := make(map[int64]historyRow, len(hist))
	for _, r := range hist {
		applied[r.Version] = r
	}
	out := make([]MigrationStatus, 0, len(known)+len(hist))
	seen := make(map[int64]bool, len(known))
	for _, m := range known {
		seen[m.Version] = true
		st := MigrationStatus{Version: m.Version, Name: m.Name, Kind: m.Kind, Source: m.Source(), NoTransaction: m.NoTransaction()}
		r, ok := applied[m.Version]
		switch {
		case !ok:
			st.State = StatePending
			if warnWith != nil {
				st.Warnings = m.Warnings(*warnWith)
			}
		case r.Dirty:
			st.State = StateDirty
		case m.checksumMatch(r.Checksum) == checksumDiffers:
			st.State = StateDrift
		default:
			st.State = StateApplied
		}
		if ok {
			st.AppliedAt, st.Duration = r.AppliedAt, r.Duration
		}
		out = append(out, st)
	}
	for _, r := range hist {
		if !seen[r.Version] {
			out = append(out, MigrationStatus{Version: r.Version, Name: r.Name, Kind: r.Kind, State: StateMissing,
				AppliedAt: r.AppliedAt, Duration: r.Duration})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out
}

// pendingMigrations checks the state for Up and returns the migrations to
// apply, in version order, up to and including limit (0: no limit). It
// fails on dirty versions, drift and — unless allowed — gaps.
func pendingMigrations(known []*Migration, hist []historyRow, limit int64, allowOutOfOrder bool) ([]*Migration, error) {
	sts := statuses(known, hist, nil)
	if err := checkBlocked(sts); err != nil {
		return nil, err
	}
	var maxApplied int64
	for _, r := range hist {
		maxApplied = max(maxApplied, r.Version)
	}
	var pending []*Migration
	var gaps []string
	for _, m := range known {
		if limit > 0 && m.Version > limit {
			break
		}
		if inHistory(hist, m.Version) {
			continue
		}
		if m.Version < maxApplied {
			gaps = append(gaps, fmt.Sprintf("%d (%s)", m.Version, m.Source()))
		}
		pending = append(pending, m)
	}
	if len(gaps) > 0 && !allowOutOfOrder {
		return nil, fmt.Errorf("%w: %s pending below applied version %d; set AllowOutOfOrder (--allow-out-of-order) to apply them anyway",
			ErrGap, strings.Join(gaps, ", "), maxApplied)
	}
	return pending, nil
}

// checkBlocked turns dirty and drifted versions into errors.
func checkBlocked(sts []MigrationStatus) error {
	var dirty, drift []string
	for _, s := range sts {
		switch s.State {
		case StateDirty:
			dirty = append(dirty, fmt.Sprintf("%d (%s)", s.Version, s.Source))
		case StateDrift:
			drift = append(drift, fmt.Sprintf("%d (%s)", s.Version, s.Source))
		}
	}
	if len(dirty) > 0 {
		return fmt.Errorf("%w: version %s: %s", ErrDirty, strings.Join(dirty, ", "), recoveryHint)
	}
	if len(drift) > 0 {
		return fmt.Errorf("%w: version %s changed after it was applied; restore the file, or run `migrate baseline VERSION` to accept the new content without running it",
			ErrDrift, strings.Join(drift, ", "))
	}
	return nil
}

// recoveryHint tells a person what to do about a dirty version.
const recoveryHint = "a migration run outside a transaction failed part way, so some of its statements may have taken effect. " +
	"Check which did (an index left INVALID by a failed CREATE INDEX CONCURRENTLY shows in " +
	"SELECT indexrelid::regclass FROM pg_index WHERE NOT indisvalid). Then either finish the remaining statements by hand and run " +
	"`migrate baseline VERSION` (Migrator.Baseline) to mark it applied, or undo what ran (DROP INDEX CONCURRENTLY the invalid index) " +
	"and run `migrate forget VERSION` (Migrator.Forget) so the next up runs it again"

func inHistory(hist []historyRow, v int64) bool {
	for _, r := range hist {
		if r.Version == v {
			return true
		}
	}
	return false
}
