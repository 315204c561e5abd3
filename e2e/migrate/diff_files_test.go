package migrate_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/normkit/norm/migrate"
	"github.com/normkit/norm/migrate/migratecmd"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files of the generated migrations")

// Models of a small blog, version 1 and version 2. v2 adds a column
// (users.nick), an index (posts.user_id), NOT NULL on a populated column
// (posts.title) and renames a column (users.name → users.full_name).
type diffUserV1 struct {
	ID    int64  `db:"id" norm:"pk,auto_increment"`
	Email string `db:"email" norm:"unique"`
	Name  string `db:"name"`
}

func (diffUserV1) TableName() string { return "users" }

type diffPostV1 struct {
	ID     int64   `db:"id" norm:"pk,auto_increment"`
	UserID int64   `db:"user_id" norm:"fk:users(id)"`
	Title  *string `db:"title"`
}

func (diffPostV1) TableName() string { return "posts" }

type diffUserV2 struct {
	ID    int64   `db:"id" norm:"pk,auto_increment"`
	Email string  `db:"email" norm:"unique"`
	Name  string  `db:"full_name" norm:"rename:name"`
	Nick  *string `db:"nick"`
}

func (diffUserV2) TableName() string { return "users" }

type diffPostV2 struct {
	ID     int64  `db:"id" norm:"pk,auto_increment"`
	UserID int64  `db:"user_id" norm:"fk:users(id),index"`
	Title  string `db:"title"`
}

func (diffPostV2) TableName() string { return "posts" }

// diffCmd runs one migratecmd command with models and returns its exit
// status, stdout and stderr.
func diffCmd(t *testing.T, models []any, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := migratecmd.Run(ctxT(t), args, &out, &errOut, migratecmd.Options{Auto: migratecmd.Models(migrate.AutoOptions{}, models...)})
	return code, out.String(), errOut.String()
}

// sqlFiles lists the .sql files of dir.
func sqlFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// goldenFiles compares the named files of dir with testdata/diff/<name>.
func goldenFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	for _, n := range names {
		got, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("testdata", "diff", n)
		if *updateGolden {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -run TestDiff -update to create it)", err)
		}
		if string(got) != string(want) {
			t.Errorf("%s differs from %s:\n--- got\n%s\n--- want\n%s", n, path, got, want)
		}
	}
}

// TestDiffFromModelsToReviewedSQL is the walkthrough of the migrate guide:
// models v1 → diff → files → the file runner applies them → diff writes
// nothing; models v2 on a populated database → diff writes a
// transactional file and an online file with the no-transaction
// directive → the runner applies them under a concurrent writer that
// never fails → diff writes nothing; the generated downs bring the
// database back to v1.
func TestDiffFromModelsToReviewedSQL(t *testing.T) {
	t.Parallel()
	ctx := ctxT(t)
	dir := t.TempDir()
	dev := cluster.DSN()
	v1, v2 := []any{diffUserV1{}, diffPostV1{}}, []any{diffUserV2{}, diffPostV2{}}
	db := cluster.NewDatabase(t)

	code, out, stderr := diffCmd(t, v1, "diff", "init", "--dir", dir, "--dev-url", dev)
	if code != migratecmd.ExitOK {
		t.Fatalf("diff init: exit %d\n%s%s", code, out, stderr)
	}
	if got, want := sqlFiles(t, dir), []string{"0001_init.down.sql", "0001_init.up.sql"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("diff init wrote %v, want %v", got, want)
	}
	goldenFiles(t, dir, "0001_init.up.sql", "0001_init.down.sql")
	if code, out, stderr := diffCmd(t, v1, "up", "--dir", dir, "--dsn", db.DSN()); code != migratecmd.ExitOK {
		t.Fatalf("up v1: exit %d\n%s%s", code, out, stderr)
	}
	assertDiffWritesNothing(t, v1, dir, dev)
	if p := mustPlan(t, newAuto(t, db.Pool(t), v1, migrate.AutoOptions{})); !p.Empty() {
		t.Fatalf("after the generated v1 files, the models still plan:\n%s", p.Text())
	}

	conn := db.Conn(t)
	if _, err := conn.Exec(ctx, `INSERT INTO users (email, name) SELECT 'u' || g || '@example.com', 'user ' || g FROM generate_series(1, 1000) g;
		INSERT INTO posts (user_id, title) SELECT 1 + g % 1000, 'post ' || g FROM generate_series(1, 100000) g`); err != nil {
		t.Fatal(err)
	}

	code, out, stderr = diffCmd(t, v2, "diff", "v2", "--dir", dir, "--dev-url", dev)
	if code != migratecmd.ExitOK {
		t.Fatalf("diff v2: exit %d\n%s%s", code, out, stderr)
	}
	wantFiles := []string{"0001_init.down.sql", "0001_init.up.sql", "0002_v2.down.sql", "0002_v2.up.sql", "0003_v2_online.down.sql", "0003_v2_online.up.sql"}
	if got := sqlFiles(t, dir); strings.Join(got, " ") != strings.Join(wantFiles, " ") {
		t.Fatalf("diff v2 wrote %v, want %v", got, wantFiles)
	}
	goldenFiles(t, dir, wantFiles[2:]...)
	online, err := os.ReadFile(filepath.Join(dir, "0003_v2_online.up.sql"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(online), "-- norm:no-transaction\n") || !strings.Contains(string(online), "CREATE INDEX CONCURRENTLY") {
		t.Errorf("0003_v2_online.up.sql lacks the directive or the concurrent build:\n%s", online)
	}

	during, failures, firstErr := underWriter(t, db.Pool(t), "INSERT INTO posts (user_id, title) VALUES (1, 'written during the migration')", func() {
		if code, out, stderr := diffCmd(t, v2, "up", "--dir", dir, "--dsn", db.DSN()); code != migratecmd.ExitOK {
			t.Errorf("up v2: exit %d\n%s%s", code, out, stderr)
		}
	})
	if failures != 0 {
		t.Errorf("writer failed %d times while the generated files ran; first: %v", failures, firstErr)
	}
	if during == 0 {
		t.Error("writer made no progress while the generated files ran")
	}
	t.Logf("writer inserted %d rows while the generated v2 files ran", during)
	if p := mustPlan(t, newAuto(t, db.Pool(t), v2, migrate.AutoOptions{})); !p.Empty() {
		t.Fatalf("after the generated v2 files, the models still plan:\n%s", p.Text())
	}
	assertDiffWritesNothing(t, v2, dir, dev)

	if code, out, stderr := diffCmd(t, v2, "down", "2", "--allow-destructive-down", "--dir", dir, "--dsn", db.DSN()); code != migratecmd.ExitOK {
		t.Fatalf("down 2: exit %d\n%s%s", code, out, stderr)
	}
	if p := mustPlan(t, newAuto(t, db.Pool(t), v1, migrate.AutoOptions{})); !p.Empty() {
		t.Fatalf("after the generated downs, the v1 models plan:\n%s", p.Text())
	}
	var names int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM users WHERE name LIKE 'user %'").Scan(&names); err != nil || names != 1000 {
		t.Errorf("after the downs, %d users keep their name (err %v), want 1000: the rename must be undone, not dropped", names, err)
	}
	if _, err := conn.Exec(ctx, "INSERT INTO posts (user_id, title) VALUES (1, NULL)"); err != nil {
		t.Errorf("after the downs, posts.title must take NULL again (v1): %v", err)
	}
	assertNoScratchLeft(t)
}

// assertDiffWritesNothing runs diff again and checks it says so and adds
// no file.
func assertDiffWritesNothing(t *testing.T, models []any, dir, dev string) {
	t.Helper()
	before := sqlFiles(t, dir)
	code, out, stderr := diffCmd(t, models, "diff", "again", "--dir", dir, "--dev-url", dev)
	if code != migratecmd.ExitOK || !strings.Contains(out, "nothing to do") {
		t.Fatalf("diff right after generating: exit %d, stdout %q, stderr %q; want exit 0 and nothing to do", code, out, stderr)
	}
	if after := sqlFiles(t, dir); strings.Join(after, " ") != strings.Join(before, " ") {
		t.Fatalf("diff right after generating wrote files: %v → %v", before, after)
	}
}

// assertNoScratchLeft checks that diff dropped its scratch databases.
func assertNoScratchLeft(t *testing.T) {
	t.Helper()
	admin := cluster.NewDatabase(t).Conn(t)
	var n int
	if err := admin.QueryRow(ctxT(t), "SELECT count(*) FROM pg_database WHERE datname LIKE 'norm_diff_%'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d scratch database(s) norm_diff_* left on the dev server", n)
	}
}

// underWriter runs apply while a writer runs insert continuously and
// returns how many rows it inserted while apply ran, how often it failed
// and its first error.
func underWriter(t *testing.T, writer *pgxpool.Pool, insert string, apply func()) (during, failures int64, firstErr error) {
	t.Helper()
	ctx := ctxT(t)
	var inserted, failed atomic.Int64
	var first atomic.Value
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			_, err := writer.Exec(wctx, insert)
			cancel()
			if err != nil {
				failed.Add(1)
				first.CompareAndSwap(nil, err)
				continue
			}
			inserted.Add(1)
		}
	}()
	time.Sleep(50 * time.Millisecond)
	start := inserted.Load()
	apply()
	during = inserted.Load() - start
	close(stop)
	wg.Wait()
	if e, ok := first.Load().(error); ok {
		firstErr = e
	}
	return during, failed.Load(), firstErr
}

type diffUserNoName struct {
	ID    int64  `db:"id" norm:"pk,auto_increment"`
	Email string `db:"email" norm:"unique"`
}

func (diffUserNoName) TableName() string { return "users" }

// TestDiffDestructive: a model that drops a column makes diff refuse
// and write nothing, unless --allow-destructive: then the up carries the
// hazard as a comment and the down says the column cannot come back.
// Not parallel: it checks that no scratch database is left behind.
func TestDiffDestructive(t *testing.T) {
	dir := t.TempDir()
	dev := cluster.DSN()
	if code, out, stderr := diffCmd(t, []any{diffUserV1{}}, "diff", "init", "--dir", dir, "--dev-url", dev); code != migratecmd.ExitOK {
		t.Fatalf("diff init: exit %d\n%s%s", code, out, stderr)
	}
	v2 := []any{diffUserNoName{}}
	code, out, stderr := diffCmd(t, v2, "diff", "drop_name", "--dir", dir, "--dev-url", dev)
	if code != migratecmd.ExitError || !strings.Contains(stderr, "drop_column on public.users") || !strings.Contains(stderr, "--allow-destructive") {
		t.Fatalf("diff with a dropped column: exit %d, stdout %q, stderr %q; want exit 1 naming the step and the flag", code, out, stderr)
	}
	if got := sqlFiles(t, dir); len(got) != 2 {
		t.Fatalf("refused diff wrote files: %v", got)
	}
	code, out, stderr = diffCmd(t, v2, "diff", "drop_name", "--allow-destructive", "--dry-run", "--dir", dir, "--dev-url", dev)
	if code != migratecmd.ExitOK || !strings.Contains(out, "would create "+filepath.Join(dir, "0002_drop_name.up.sql")) || !strings.Contains(out, `DROP COLUMN "name"`) {
		t.Fatalf("diff --dry-run: exit %d, stdout %q, stderr %q; want the file shown", code, out, stderr)
	}
	if got := sqlFiles(t, dir); len(got) != 2 {
		t.Fatalf("diff --dry-run wrote files: %v", got)
	}
	if code, out, stderr := diffCmd(t, v2, "diff", "drop_name", "--allow-destructive", "--dir", dir, "--dev-url", dev); code != migratecmd.ExitOK {
		t.Fatalf("diff --allow-destructive: exit %d\n%s%s", code, out, stderr)
	}
	goldenFiles(t, dir, "0002_drop_name.up.sql", "0002_drop_name.down.sql")
	assertDiffWritesNothing(t, v2, dir, dev)
	assertNoScratchLeft(t)
}

// TestDiffBadDevURL: a dev URL that does not parse or does not answer is
// a clear error, and nothing is written.
func TestDiffBadDevURL(t *testing.T) {
	t.Parallel()
	for _, url := range []string{"postgres://%zz", "postgres://nobody@127.0.0.1:1/x?connect_timeout=2"} {
		dir := t.TempDir()
		code, _, stderr := diffCmd(t, []any{diffUserV1{}}, "diff", "init", "--dir", dir, "--dev-url", url)
		if code != migratecmd.ExitError || !strings.Contains(stderr, "migrate: diff:") {
			t.Errorf("--dev-url %q: exit %d, stderr %q; want exit 1 and a diff error", url, code, stderr)
		}
		t.Logf("--dev-url %q: %s", url, stderr)
		if got := sqlFiles(t, dir); len(got) != 0 {
			t.Errorf("--dev-url %q: wrote %v", url, got)
		}
	}
}

// TestDiffThrowawayServer: without --dev-url, diff starts a throwaway
// server from the local PostgreSQL binaries (as root: as the postgres OS
// user), generates the same files as with a dev URL, and removes the
// server's directory afterwards.
func TestDiffThrowawayServer(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("/usr/lib/postgresql"); err != nil && os.Getenv("NORM_PG_BINDIR") == "" {
		t.Skip("no local PostgreSQL binaries for a throwaway server")
	}
	before, _ := filepath.Glob(filepath.Join(os.TempDir(), "norm-dev-*"))
	dir := t.TempDir()
	start := time.Now()
	code, out, stderr := diffCmd(t, []any{diffUserV1{}, diffPostV1{}}, "diff", "init", "--dir", dir)
	if code != migratecmd.ExitOK {
		t.Fatalf("diff without --dev-url: exit %d\n%s%s", code, out, stderr)
	}
	t.Logf("diff with a throwaway server took %s", time.Since(start).Round(time.Millisecond))
	goldenFiles(t, dir, "0001_init.up.sql", "0001_init.down.sql")
	after, _ := filepath.Glob(filepath.Join(os.TempDir(), "norm-dev-*"))
	for _, a := range after {
		left := true
		for _, b := range before {
			left = left && a != b
		}
		if left {
			t.Errorf("the throwaway server's directory %s is left behind", a)
		}
	}
}
