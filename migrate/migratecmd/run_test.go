package migratecmd

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/normkit/norm/migrate"
	"github.com/normkit/norm/migrate/versioned"
)

func TestParseArgs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want cmdline
	}{
		{[]string{"up"}, cmdline{command: "up"}},
		{[]string{"--dsn", "x", "down", "2", "--dry-run"}, cmdline{command: "down", args: []string{"2"}, dsn: "x", dryRun: true}},
		{[]string{"create", "add_users", "--dir", "db/m"}, cmdline{command: "create", args: []string{"add_users"}, dir: "db/m"}},
		{[]string{"up", "--to=3", "--json"}, cmdline{command: "up", to: 3, toSet: true, json: true}},
		{[]string{"plan", "--check"}, cmdline{command: "plan", check: true}},
		{[]string{"diff", "v2", "--dev-url", "postgres://x/y", "--allow-destructive"},
			cmdline{command: "diff", args: []string{"v2"}, devURL: "postgres://x/y", allowDestructive: true}},
		{[]string{"up", "--lock-timeout", "2s", "--statement-timeout=1m", "--history-table", "ops.h"},
			cmdline{command: "up", lockTimeout: ptr(2 * time.Second), stmtTimeout: ptr(time.Minute), history: "ops.h"}},
	}
	for _, tt := range tests {
		got, err := parseArgs(tt.args, &bytes.Buffer{})
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseArgs(%q) = %+v, %v; want %+v", tt.args, got, err, tt.want)
		}
	}
}

func ptr(d time.Duration) *time.Duration { return &d }

func TestRunUsageErrors(t *testing.T) {
	t.Parallel()
	noEnv := func(string) string { return "" }
	tests := []struct {
		args []string
		want string
	}{
		{nil, "missing command"},
		{[]string{"sideways"}, `unknown command "sideways"`},
		{[]string{"up", "--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"up", "--lock-timeout", "soon"}, `invalid value "soon" for flag -lock-timeout`},
		{[]string{"up"}, "no database: pass --dsn or set DATABASE_URL"},
		{[]string{"plan"}, "plan works on Go models"},
		{[]string{"create"}, "create needs exactly one NAME argument"},
		{[]string{"create", "bad name"}, `name "bad name" may hold only`},
		{[]string{"diff"}, "diff needs exactly one NAME argument"},
		{[]string{"diff", "a;b"}, `diff: name "a;b" may hold only`},
		{[]string{"diff", "add_users"}, "diff works on Go models"},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		code := Run(context.Background(), tt.args, &out, &errOut, Options{Getenv: noEnv})
		if code != ExitError || !strings.Contains(errOut.String(), tt.want) {
			t.Errorf("Run(%q) = %d, stderr %q; want exit 1 and %q", tt.args, code, errOut.String(), tt.want)
		}
	}
}

func TestCreate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "00007_old.up.sql"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := Run(context.Background(), []string{"create", "add_index", "--dir", dir}, &out, &errOut, Options{}); code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	want := filepath.Join(dir, "00008_add_index.up.sql") + "\n" + filepath.Join(dir, "00008_add_index.down.sql") + "\n"
	if out.String() != want {
		t.Fatalf("stdout %q, want %q", out.String(), want)
	}
	for _, f := range []string{"00008_add_index.up.sql", "00008_add_index.down.sql"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s not written: %v", f, err)
		}
	}
	out.Reset()
	if code := Run(context.Background(), []string{"create", "next", "--dry-run", "--dir", dir}, &out, &errOut, Options{}); code != ExitOK ||
		!strings.HasPrefix(out.String(), "would create "+filepath.Join(dir, "00009_next.up.sql")) {
		t.Fatalf("create --dry-run = %d %q", code, out.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "00009_next.up.sql")); err == nil {
		t.Fatal("create --dry-run wrote a file")
	}
	// The created files load as a valid migration.
	mg, err := versioned.NewMigrator(fakeDB{}, os.DirFS(dir), versioned.MigratorOptions{})
	if err != nil || len(mg.Migrations()) != 2 || !mg.Migrations()[1].HasDown() {
		t.Fatalf("created files do not load: %v", err)
	}
}

type fakeDB struct{ migrate.DB }

type fakePlan struct{ unsafe bool }

func (p fakePlan) Text() string          { return "1 step\n" }
func (p fakePlan) JSON() ([]byte, error) { return []byte(`{"steps":1}`), nil }
func (p fakePlan) Empty() bool           { return false }
func (p fakePlan) Unsafe() bool          { return p.unsafe }

type fakeAuto struct {
	plan    fakePlan
	applied *bool
}

func (a fakeAuto) Plan(context.Context) (AutoPlan, error) { return a.plan, nil }
func (a fakeAuto) Apply(context.Context) (AutoPlan, error) {
	*a.applied = true
	return a.plan, nil
}

func TestRunAuto(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args    []string
		unsafe  bool
		code    int
		out     string
		applied bool
	}{
		{[]string{"plan"}, true, ExitOK, "1 step\n", false},
		{[]string{"plan", "--check"}, true, ExitUnsafe, "1 step\n", false},
		{[]string{"plan", "--check", "--json"}, false, ExitOK, "{\"steps\":1}\n", false},
		{[]string{"apply"}, false, ExitOK, "1 step\n", true},
		{[]string{"apply", "--dry-run"}, false, ExitOK, "1 step\n", false},
	}
	for _, tt := range tests {
		var applied bool
		opts := Options{
			Getenv:  func(string) string { return "postgres://unused" },
			Connect: func(context.Context, string) (migrate.DB, func(), error) { return fakeDB{}, func() {}, nil },
			Auto: func(migrate.DB) (AutoMigrator, error) {
				return fakeAuto{plan: fakePlan{unsafe: tt.unsafe}, applied: &applied}, nil
			},
		}
		var out, errOut bytes.Buffer
		code := Run(context.Background(), tt.args, &out, &errOut, opts)
		if code != tt.code || out.String() != tt.out || applied != tt.applied {
			t.Errorf("Run(%q) = %d, %q, applied %v; want %d, %q, applied %v (stderr %q)",
				tt.args, code, out.String(), applied, tt.code, tt.out, tt.applied, errOut.String())
		}
	}
}

func TestStatusProblems(t *testing.T) {
	t.Parallel()
	sts := []versioned.MigrationStatus{
		{Version: 1, Name: "a", State: versioned.StateApplied, Source: "0001_a.up.sql"},
		{Version: 2, Name: "b", State: versioned.StateDirty, Source: "0002_b.up.sql"},
		{Version: 3, Name: "c", State: versioned.StateDrift, Source: "0003_c.up.sql"},
		{Version: 4, Name: "d", State: versioned.StatePending, Source: "0004_d.up.sql"},
		{Version: 9, Name: "gone", State: versioned.StateMissing},
	}
	got := statusProblems(sts)
	want := []string{
		"version 2 (0002_b.up.sql) is dirty: ",
		"version 3 (0003_c.up.sql) has drift: ",
		"version 9 (gone) is missing: ",
	}
	if len(got) != len(want) {
		t.Fatalf("statusProblems = %q, want %d problems", got, len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(got[i], w) {
			t.Errorf("problem %d = %q, want it to start with %q", i, got[i], w)
		}
	}
	for _, hint := range []string{"migrate baseline 2", "migrate forget 2"} {
		if !strings.Contains(got[0], hint) {
			t.Errorf("dirty problem %q lacks %q", got[0], hint)
		}
	}
	if !strings.Contains(got[1], "migrate baseline 3") {
		t.Errorf("drift problem %q lacks the baseline hint", got[1])
	}
	if statusProblems(sts[:1]) != nil || statusProblems([]versioned.MigrationStatus{sts[0], sts[3]}) != nil {
		t.Error("applied and pending versions reported as problems")
	}
}

// TestDiffDevDatabaseFails: when the scratch server cannot be had, diff
// says so and writes nothing.
func TestDiffDevDatabaseFails(t *testing.T) {
	t.Parallel()
	type item struct {
		ID int64 `db:"id" norm:"pk"`
	}
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	code := Run(context.Background(), []string{"diff", "items", "--dir", dir}, &out, &errOut, Options{
		Auto:        Models(migrate.AutoOptions{}, item{}),
		DevDatabase: func(context.Context) (string, func(), error) { return "", nil, errors.New("no disk") },
	})
	if code != ExitError || !strings.Contains(errOut.String(), "diff: start the dev database: no disk") {
		t.Fatalf("exit %d, stderr %q; want exit 1 and the dev database's error", code, errOut.String())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("diff wrote %d file(s) without a dev database", len(entries))
	}
}

// TestERDFromModels: erd without --dsn draws the models, byte for byte
// what migrate.ERD makes of them, with no database.
func TestERDFromModels(t *testing.T) {
	t.Parallel()
	type team struct {
		ID   int64  `db:"id" norm:"pk,auto_increment"`
		Name string `db:"name" norm:"unique"`
	}
	type member struct {
		ID     int64 `db:"id" norm:"pk,auto_increment"`
		TeamID int64 `db:"team_id" norm:"fk:teams(id)"`
	}
	var out, errOut bytes.Buffer
	code := Run(context.Background(), []string{"erd"}, &out, &errOut,
		Options{Auto: Models(migrate.AutoOptions{}, team{}, member{}), Getenv: func(string) string { return "" }})
	want := "erDiagram\n" +
		"    members {\n        bigint id PK\n        bigint team_id FK\n    }\n" +
		"    teams {\n        bigint id PK\n        text name UK\n    }\n" +
		"    teams ||--o{ members : \"team_id\"\n"
	if code != ExitOK || out.String() != want {
		t.Fatalf("erd: exit %d, stderr %q, stdout\n%s\nwant\n%s", code, errOut.String(), out.String(), want)
	}
	code = Run(context.Background(), []string{"erd", "extra"}, &out, &errOut, Options{})
	if code != ExitError || !strings.Contains(errOut.String(), "erd takes no arguments") {
		t.Errorf("erd extra: exit %d, stderr %q", code, errOut.String())
	}
}

// TestProgressForms: an index build's sample, of a file and of a
// planner step, as the terminal line and as the JSON event written when
// stderr is not a terminal.
func TestProgressForms(t *testing.T) {
	t.Parallel()
	p := versioned.Progress{Version: 3, Source: "0003_v2_online.up.sql", Command: "CREATE INDEX CONCURRENTLY",
		Phase: "building index: scanning table", BlocksDone: 1234, BlocksTotal: 2938, Elapsed: 3200 * time.Millisecond}
	if got, want := fileProgressLine(p), "  3 0003_v2_online.up.sql: CREATE INDEX CONCURRENTLY, building index: scanning table 42.0% (1234/2938 blocks) 3s"; got != want {
		t.Errorf("terminal line %q, want %q", got, want)
	}
	tuples := p
	tuples.BlocksTotal, tuples.TuplesDone, tuples.TuplesTotal = 0, 50, 200
	if got, want := fileProgressLine(tuples), "  3 0003_v2_online.up.sql: CREATE INDEX CONCURRENTLY, building index: scanning table 25.0% (50/200 tuples) 3s"; got != want {
		t.Errorf("terminal line %q, want %q", got, want)
	}
	sp := migrate.IndexProgress{Kind: migrate.CreateIndex, Table: "public.big", Command: "CREATE INDEX CONCURRENTLY",
		Phase: "waiting for old snapshots", Elapsed: 1400 * time.Millisecond}
	if got, want := stepProgressLine(sp), "  "+string(migrate.CreateIndex)+" public.big: CREATE INDEX CONCURRENTLY, waiting for old snapshots 1s"; got != want {
		t.Errorf("terminal line %q, want %q", got, want)
	}
	var buf bytes.Buffer
	out := newProgressOut(&buf) // a buffer is no terminal: JSON
	if out.lines() != io.Writer(&buf) {
		t.Errorf("off a terminal, the other progress lines go to the writer itself")
	}
	out.file(p)
	out.step(sp)
	want := `{"event":"index_progress","version":3,"source":"0003_v2_online.up.sql","command":"CREATE INDEX CONCURRENTLY","phase":"building index: scanning table","blocks_done":1234,"blocks_total":2938,"tuples_done":0,"tuples_total":0,"elapsed_ns":3200000000,"percent":42.00136147038802}` + "\n" +
		`{"event":"index_progress","kind":"` + string(migrate.CreateIndex) + `","table":"public.big","command":"CREATE INDEX CONCURRENTLY","phase":"waiting for old snapshots","blocks_done":0,"blocks_total":0,"tuples_done":0,"tuples_total":0,"elapsed_ns":1400000000,"percent":-1}` + "\n"
	if buf.String() != want {
		t.Errorf("JSON events\n%s\nwant\n%s", buf.String(), want)
	}
	// On a terminal: the line is rewritten in place, and the next other
	// line erases it first.
	var term bytes.Buffer
	tout := &progressOut{live: &liveLine{w: &term}, w: &term}
	tout.file(p)
	tout.step(sp)
	_, _ = tout.lines().Write([]byte("applied 3\n"))
	_, _ = tout.lines().Write([]byte("done\n"))
	wantTerm := "\r" + fileProgressLine(p) + "\x1b[K" + "\r" + stepProgressLine(sp) + "\x1b[K" + "\r\x1b[K" + "applied 3\n" + "done\n"
	if term.String() != wantTerm {
		t.Errorf("terminal output %q, want %q", term.String(), wantTerm)
	}
}
