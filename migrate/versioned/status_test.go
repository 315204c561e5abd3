package versioned

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5"
)

func knownMigrations(versions ...int64) []*Migration {
	var out []*Migration
	for _, v := range versions {
		out = append(out, &Migration{Version: v, Name: "m", Kind: KindSQL, UpFile: "f.up.sql", Checksum: "sum"})
	}
	return out
}

func historyRows(versions ...int64) []historyRow {
	var out []historyRow
	for _, v := range versions {
		out = append(out, historyRow{Version: v, Name: "m", Kind: KindSQL, Checksum: "sum", AppliedAt: time.Unix(v, 0)})
	}
	return out
}

func versionsOf(ms []*Migration) []int64 {
	var out []int64
	for _, m := range ms {
		out = append(out, m.Version)
	}
	return out
}

func TestFilePending(t *testing.T) {
	t.Parallel()
	dirty := historyRows(1, 2)
	dirty[1].Dirty = true
	drift := historyRows(1, 2)
	drift[0].Checksum = "other"
	tests := []struct {
		name       string
		known      []*Migration
		hist       []historyRow
		limit      int64
		outOfOrder bool
		want       []int64
		wantErr    error
		errText    string
	}{
		{name: "fresh", known: knownMigrations(1, 2, 3), want: []int64{1, 2, 3}},
		{name: "some applied", known: knownMigrations(1, 2, 3), hist: historyRows(1), want: []int64{2, 3}},
		{name: "limit", known: knownMigrations(1, 2, 3), limit: 2, want: []int64{1, 2}},
		{name: "all applied", known: knownMigrations(1, 2), hist: historyRows(1, 2)},
		{name: "gap", known: knownMigrations(1, 2, 3), hist: historyRows(1, 3), wantErr: ErrGap, errText: "2 (f.up.sql) pending below applied version 3"},
		{name: "gap allowed", known: knownMigrations(1, 2, 3, 4), hist: historyRows(1, 3), outOfOrder: true, want: []int64{2, 4}},
		{name: "dirty", known: knownMigrations(1, 2, 3), hist: dirty, wantErr: ErrDirty, errText: "version 2 (f.up.sql)"},
		{name: "drift", known: knownMigrations(1, 2, 3), hist: drift, wantErr: ErrDrift, errText: "version 1 (f.up.sql) changed"},
		{name: "missing row does not block", known: knownMigrations(2), hist: historyRows(1), want: []int64{2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := pendingMigrations(tt.known, tt.hist, tt.limit, tt.outOfOrder)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.errText) {
					t.Fatalf("error = %v, want %v containing %q", err, tt.wantErr, tt.errText)
				}
				return
			}
			if err != nil || !slices.Equal(versionsOf(got), tt.want) {
				t.Fatalf("pending = %v, %v; want %v", versionsOf(got), err, tt.want)
			}
		})
	}
}

func TestFileStatuses(t *testing.T) {
	t.Parallel()
	known := knownMigrations(1, 2, 3, 4, 5, 6)
	known[3] = &Migration{Version: 4, Name: "go", Kind: KindGo}
	known[4].legacyChecksum, known[5].legacyChecksum = "oldsum5", "oldsum6"
	hist := historyRows(1, 2, 4, 5, 6, 9)
	hist[1].Checksum = "changed"
	hist[2].Checksum = ""        // Go migrations carry no checksum
	hist[3].Checksum = "oldsum5" // recorded before v2, up file unchanged
	hist[4].Checksum = "oldsum0" // recorded before v2, up file changed
	got := statuses(known, hist, &MigratorOptions{})
	want := []struct {
		v     int64
		state MigrationState
	}{{1, StateApplied}, {2, StateDrift}, {3, StatePending}, {4, StateApplied}, {5, StateApplied}, {6, StateDrift}, {9, StateMissing}}
	if len(got) != len(want) {
		t.Fatalf("got %d statuses, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].Version != w.v || got[i].State != w.state {
			t.Errorf("status[%d] = %d %s, want %d %s", i, got[i].Version, got[i].State, w.v, w.state)
		}
	}
	if !got[0].AppliedAt.Equal(time.Unix(1, 0)) || !got[2].AppliedAt.IsZero() {
		t.Errorf("applied_at not carried over: %v %v", got[0].AppliedAt, got[2].AppliedAt)
	}
}

func TestMigrationStateNeedsAttention(t *testing.T) {
	t.Parallel()
	want := map[MigrationState]bool{
		StatePending: false, StateApplied: false,
		StateDirty: true, StateDrift: true, StateMissing: true,
	}
	for s, w := range want {
		if got := s.NeedsAttention(); got != w {
			t.Errorf("%s.NeedsAttention() = %v, want %v", s, got, w)
		}
	}
}

// noDB satisfies DB for tests that never reach the database.
type noDB struct{ DB }

func TestAddGo(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{"0002_b.up.sql": {Data: []byte("SELECT 1;")}}
	mg, err := NewMigrator(noDB{}, fsys, MigratorOptions{})
	if err != nil {
		t.Fatal(err)
	}
	up := func(context.Context, pgx.Tx) error { return nil }
	for _, v := range []int64{3, 1} {
		if err := mg.AddGo(v, "go", up, nil); err != nil {
			t.Fatalf("AddGo(%d): %v", v, err)
		}
	}
	if got := versionsOf(mg.Migrations()); !slices.Equal(got, []int64{1, 2, 3}) {
		t.Fatalf("versions = %v, want [1 2 3]", got)
	}
	errs := []struct {
		v    int64
		name string
		up   GoFunc
		want string
	}{
		{2, "dup", up, "version 2 is already used by 0002_b.up.sql"},
		{3, "dup", up, "version 3 is already used by go migration 3_go"},
		{0, "zero", up, "version 0 must be positive"},
		{5, "", up, "name is empty"},
		{6, "nil", nil, "up function is nil"},
	}
	for _, e := range errs {
		if err := mg.AddGo(e.v, e.name, e.up, nil); err == nil || !strings.Contains(err.Error(), e.want) {
			t.Errorf("AddGo(%d, %q) error = %v, want %q", e.v, e.name, err, e.want)
		}
	}
	if mg.Migrations()[0].HasDown() {
		t.Error("go migration without down reports HasDown")
	}
}

func TestMigrationWarnings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		sql  string
		warn bool
	}{
		{"ALTER TABLE users ADD COLUMN a int;", true},
		{"CREATE INDEX i ON users (a);", true},
		{"CREATE UNIQUE INDEX i ON users (a);", true},
		{"SET lock_timeout = '1s';\nALTER TABLE users ADD COLUMN a int;", false},
		{"SET LOCAL lock_timeout TO '1s'; ALTER TABLE users ADD COLUMN a int;", false},
		{"SELECT set_config('lock_timeout', '1s', true); ALTER TABLE users ADD COLUMN a int;", false},
		{"-- norm:no-transaction\nCREATE INDEX CONCURRENTLY i ON users (a);", false},
		{"CREATE TABLE users (id int);", false},
		{"-- SET lock_timeout = '1s'\nALTER TABLE users ADD COLUMN a int;", true},
	}
	for _, tt := range tests {
		sc, err := parseScript("0001_x.up.sql", tt.sql)
		if err != nil {
			t.Fatal(err)
		}
		m := &Migration{Version: 1, Name: "x", Kind: KindSQL, UpFile: "0001_x.up.sql", up: sc}
		w := m.Warnings(MigratorOptions{})
		if (len(w) > 0) != tt.warn {
			t.Errorf("Warnings(%q) = %q, want warning %v", tt.sql, w, tt.warn)
		}
		if tt.warn && w[0] != "0001_x.up.sql: DDL on an existing table without SET lock_timeout; the runner sets lock_timeout=5s" {
			t.Errorf("warning text %q", w[0])
		}
	}
}
