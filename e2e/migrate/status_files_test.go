package migrate_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/normkit/norm/migrate"
	"github.com/normkit/norm/migrate/migratecmd"
	"github.com/normkit/norm/migrate/versioned"
)

// filesWriteDir writes files into dir (a new temporary directory when
// dir is "") and returns it.
func filesWriteDir(t *testing.T, dir string, files map[string]string) string {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// filesUpCLI runs `migrate up` over dir, failing the test unless it exits 0.
func filesUpCLI(t *testing.T, dsn, dir string) {
	t.Helper()
	if code, _, errOut := filesRun(t, dsn, "up", "--dir", dir); code != 0 {
		t.Fatalf("up = %d %s", code, errOut)
	}
}

// filesStatusRow reports whether the status table on stdout has a row
// for version v in state st.
func filesStatusRow(out string, v int, st versioned.MigrationState) bool {
	return regexp.MustCompile(`(?m)^` + strconv.Itoa(v) + `\s+` + string(st) + `\s`).MatchString(out)
}

// filesStatusJSON runs status --json and returns the exit status and the
// decoded states by version.
func filesStatusJSON(t *testing.T, dsn, dir string) (int, map[int64]versioned.MigrationState) {
	t.Helper()
	code, out, errOut := filesRun(t, dsn, "status", "--json", "--dir", dir)
	var sts []versioned.MigrationStatus
	if err := json.Unmarshal([]byte(out), &sts); err != nil {
		t.Fatalf("status --json = %d printed no JSON (%v):\n%s%s", code, err, out, errOut)
	}
	states := map[int64]versioned.MigrationState{}
	for _, s := range sts {
		states[s.Version] = s.State
	}
	return code, states
}

var filesStatusBase = map[string]string{
	"0001_a.up.sql":   "CREATE TABLE a (id int);",
	"0001_a.down.sql": "DROP TABLE a;",
	"0002_b.up.sql":   "CREATE TABLE b (id int);",
	"0002_b.down.sql": "DROP TABLE b;",
}

// TestFilesStatusExitClean: every version applied, or some pending, is
// normal: status exits 0 and names no problem.
func TestFilesStatusExitClean(t *testing.T) {
	t.Parallel()
	db := cluster.NewDatabase(t)
	dir := filesWriteDir(t, "", filesStatusBase)

	code, out, errOut := filesRun(t, db.DSN(), "status", "--dir", dir)
	if code != migratecmd.ExitOK || !filesStatusRow(out, 1, versioned.StatePending) || !filesStatusRow(out, 2, versioned.StatePending) || errOut != "" {
		t.Fatalf("status of a fresh database = %d\n%s%s; want exit 0, both pending, nothing on stderr", code, out, errOut)
	}
	if code, _, errOut := filesRun(t, db.DSN(), "up", "--to", "1", "--dir", dir); code != 0 {
		t.Fatalf("up --to 1 = %d %s", code, errOut)
	}
	code, out, errOut = filesRun(t, db.DSN(), "status", "--dir", dir)
	if code != migratecmd.ExitOK || !filesStatusRow(out, 1, versioned.StateApplied) || !filesStatusRow(out, 2, versioned.StatePending) || errOut != "" {
		t.Fatalf("status with one pending = %d\n%s%s; want exit 0", code, out, errOut)
	}
	filesUpCLI(t, db.DSN(), dir)
	code, states := filesStatusJSON(t, db.DSN(), dir)
	if code != migratecmd.ExitOK || states[1] != versioned.StateApplied || states[2] != versioned.StateApplied {
		t.Fatalf("status --json all applied = %d %v; want exit 0", code, states)
	}
}

// TestFilesStatusExitDirty: a no-transaction file that failed leaves its
// version dirty; status exits 3 naming it, with and without --json.
func TestFilesStatusExitDirty(t *testing.T) {
	t.Parallel()
	db := cluster.NewDatabase(t)
	dir := filesWriteDir(t, "", map[string]string{
		"0001_items.up.sql":    "CREATE TABLE items (id int, sku text);\nINSERT INTO items VALUES (1, 'a'), (2, 'a');",
		"0002_sku_uniq.up.sql": "-- norm:no-transaction\nCREATE UNIQUE INDEX CONCURRENTLY items_sku_key ON items (sku);\n",
		"0003_more.up.sql":     "CREATE TABLE more (id int);",
	})
	if code, _, errOut := filesRun(t, db.DSN(), "up", "--dir", dir); code != migratecmd.ExitError || !strings.Contains(errOut, "dirty") {
		t.Fatalf("up with a failing no-transaction file = %d %q; want exit 1 leaving it dirty", code, errOut)
	}
	code, out, errOut := filesRun(t, db.DSN(), "status", "--dir", dir)
	if code != migratecmd.ExitNeedsAttention || !filesStatusRow(out, 2, versioned.StateDirty) || !filesStatusRow(out, 3, versioned.StatePending) {
		t.Fatalf("status = %d\n%s%s; want exit 3 with version 2 dirty", code, out, errOut)
	}
	for _, want := range []string{"1 version(s) need attention", "version 2 (0002_sku_uniq.up.sql) is dirty", "migrate forget 2"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("status stderr lacks %q:\n%s", want, errOut)
		}
	}
	if code, states := filesStatusJSON(t, db.DSN(), dir); code != migratecmd.ExitNeedsAttention || states[2] != versioned.StateDirty {
		t.Fatalf("status --json = %d %v; want exit 3 with version 2 dirty", code, states)
	}
}

// TestFilesStatusExitDrift: editing an applied up file, or its down file,
// is drift; status exits 3 naming the version.
func TestFilesStatusExitDrift(t *testing.T) {
	t.Parallel()
	for _, edit := range []string{"0001_a.up.sql", "0001_a.down.sql"} {
		t.Run(edit, func(t *testing.T) {
			t.Parallel()
			db := cluster.NewDatabase(t)
			dir := filesWriteDir(t, "", filesStatusBase)
			filesUpCLI(t, db.DSN(), dir)
			filesWriteDir(t, dir, map[string]string{edit: filesStatusBase[edit] + "\n-- edited after it was applied\n"})
			code, out, errOut := filesRun(t, db.DSN(), "status", "--dir", dir)
			if code != migratecmd.ExitNeedsAttention || !filesStatusRow(out, 1, versioned.StateDrift) || !filesStatusRow(out, 2, versioned.StateApplied) {
				t.Fatalf("status after editing %s = %d\n%s%s; want exit 3 with version 1 drift", edit, code, out, errOut)
			}
			if !strings.Contains(errOut, "version 1 (0001_a.up.sql) has drift") || !strings.Contains(errOut, "migrate baseline 1") {
				t.Errorf("status stderr does not name version 1 and its drift:\n%s", errOut)
			}
			if code, states := filesStatusJSON(t, db.DSN(), dir); code != migratecmd.ExitNeedsAttention || states[1] != versioned.StateDrift {
				t.Fatalf("status --json = %d %v; want exit 3 with version 1 drift", code, states)
			}
			// Accepting the edit clears it.
			if code, _, errOut := filesRun(t, db.DSN(), "baseline", "1", "--dir", dir); code != 0 {
				t.Fatalf("baseline 1 = %d %s", code, errOut)
			}
			if code, out, errOut := filesRun(t, db.DSN(), "status", "--dir", dir); code != migratecmd.ExitOK {
				t.Fatalf("status after baseline = %d\n%s%s; want exit 0", code, out, errOut)
			}
		})
	}
}

// TestFilesStatusExitMissing: a recorded version whose file is gone is
// missing; status exits 3 naming it.
func TestFilesStatusExitMissing(t *testing.T) {
	t.Parallel()
	db := cluster.NewDatabase(t)
	dir := filesWriteDir(t, "", filesStatusBase)
	filesUpCLI(t, db.DSN(), dir)
	for _, f := range []string{"0002_b.up.sql", "0002_b.down.sql"} {
		if err := os.Remove(filepath.Join(dir, f)); err != nil {
			t.Fatal(err)
		}
	}
	code, out, errOut := filesRun(t, db.DSN(), "status", "--dir", dir)
	if code != migratecmd.ExitNeedsAttention || !filesStatusRow(out, 2, versioned.StateMissing) || !filesStatusRow(out, 1, versioned.StateApplied) {
		t.Fatalf("status = %d\n%s%s; want exit 3 with version 2 missing", code, out, errOut)
	}
	if !strings.Contains(errOut, "version 2 (b) is missing") {
		t.Errorf("status stderr does not name version 2 as missing:\n%s", errOut)
	}
	if code, states := filesStatusJSON(t, db.DSN(), dir); code != migratecmd.ExitNeedsAttention || states[2] != versioned.StateMissing {
		t.Fatalf("status --json = %d %v; want exit 3 with version 2 missing", code, states)
	}
}

// filesLegacySum is the checksum releases before v2 recorded: the hex
// SHA-256 of the up file alone.
func filesLegacySum(body string) string {
	sum := sha256.Sum256([]byte(body))
	return hex.EncodeToString(sum[:])
}

// filesChecksums returns the recorded checksum of every version.
func filesChecksums(t *testing.T, db migrate.Querier) map[int64]string {
	t.Helper()
	rows, err := db.Query(filesCtx(t), "SELECT version, checksum FROM schema_migrations")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var v int64
		var sum string
		if err := rows.Scan(&v, &sum); err != nil {
			t.Fatal(err)
		}
		out[v] = sum
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestFilesLegacyChecksums: a history written with the old up-only
// checksums verifies clean after the upgrade; status and dry runs leave
// the old values alone, Up rewrites the verified ones to v2, and
// from then on an edited down file is drift. An old value that does not
// match its up file is drift and is not rewritten.
func TestFilesLegacyChecksums(t *testing.T) {
	t.Parallel()
	ctx := filesCtx(t)
	db := cluster.NewDatabase(t)
	pool := db.Pool(t)
	files := map[string]string{
		"0001_a.up.sql":   "CREATE TABLE a (id int);",
		"0001_a.down.sql": "DROP TABLE a;",
		"0002_b.up.sql":   "-- norm:no-transaction\nCREATE INDEX CONCURRENTLY a_id_idx ON a (id);",
		"0002_b.down.sql": "DROP INDEX a_id_idx;",
		"0003_c.up.sql":   "CREATE TABLE c (id int);",
	}
	dir := filesWriteDir(t, "", files)
	filesUpCLI(t, db.DSN(), dir)
	// Rewrite the history as an older release left it.
	legacy := map[int64]string{1: filesLegacySum(files["0001_a.up.sql"]), 2: filesLegacySum(files["0002_b.up.sql"]), 3: filesLegacySum(files["0003_c.up.sql"])}
	for v, sum := range legacy {
		if _, err := pool.Exec(ctx, "UPDATE schema_migrations SET checksum = $2 WHERE version = $1", v, sum); err != nil {
			t.Fatal(err)
		}
	}

	code, out, errOut := filesRun(t, db.DSN(), "status", "--dir", dir)
	if code != migratecmd.ExitOK || strings.Count(out, "applied") != 3 {
		t.Fatalf("status over old-format checksums = %d\n%s%s; want exit 0, all applied", code, out, errOut)
	}
	if code, _, errOut := filesRun(t, db.DSN(), "up", "--dry-run", "--dir", dir); code != 0 {
		t.Fatalf("up --dry-run = %d %s", code, errOut)
	}
	if got := filesChecksums(t, pool); got[1] != legacy[1] || got[2] != legacy[2] || got[3] != legacy[3] {
		t.Fatalf("status or a dry run rewrote checksums: %v", got)
	}

	// Up with nothing pending upgrades the verified values in place.
	mg := filesMigrator(t, pool, files, versioned.MigratorOptions{})
	if res, err := mg.Up(ctx); err != nil || len(res) != 0 {
		t.Fatalf("Up = %v, %v; want nothing to run", res, err)
	}
	got := filesChecksums(t, pool)
	for _, m := range mg.Migrations() {
		if !strings.HasPrefix(m.Checksum, "v2:") || got[m.Version] != m.Checksum {
			t.Errorf("version %d recorded %q after Up, want its v2 checksum %q", m.Version, got[m.Version], m.Checksum)
		}
	}

	// An edited down file is now drift.
	filesWriteDir(t, dir, map[string]string{"0002_b.down.sql": "DROP INDEX CONCURRENTLY a_id_idx;"})
	code, out, errOut = filesRun(t, db.DSN(), "status", "--dir", dir)
	if code != migratecmd.ExitNeedsAttention || !filesStatusRow(out, 2, versioned.StateDrift) || !strings.Contains(errOut, "version 2 (0002_b.up.sql) has drift") {
		t.Fatalf("status after editing a down file = %d\n%s%s; want exit 3 with version 2 drift", code, out, errOut)
	}

	// An old value that does not match the up file is drift, and Up
	// leaves it as it is.
	stale := filesLegacySum("CREATE TABLE c (id bigint);")
	if _, err := pool.Exec(ctx, "UPDATE schema_migrations SET checksum = $1 WHERE version = 3", stale); err != nil {
		t.Fatal(err)
	}
	if sts, err := mg.Status(ctx); err != nil || sts[2].State != versioned.StateDrift {
		t.Fatalf("status of a stale old-format checksum = %+v, %v; want drift", sts, err)
	}
	if _, err := mg.Up(ctx); !errors.Is(err, versioned.ErrDrift) || !strings.Contains(err.Error(), "version 3 (0003_c.up.sql)") {
		t.Fatalf("Up = %v, want ErrDrift naming version 3", err)
	}
	if got := filesChecksums(t, pool); got[3] != stale {
		t.Fatalf("Up rewrote the unverified checksum of version 3 to %q", got[3])
	}
}
