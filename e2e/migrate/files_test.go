package migrate_test

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/normkit/norm/migrate"
	"github.com/normkit/norm/migrate/versioned"
)

// filesCtx is a context bounded so a hung migration fails the test.
func filesCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func filesFS(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, body := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(body)}
	}
	return fsys
}

// filesMigrator builds a Migrator over db: a pool (migrate.DB,
// NewMigrator) or a single *pgx.Conn (NewMigratorConn).
func filesMigrator(t *testing.T, db any, files map[string]string, opts versioned.MigratorOptions) *versioned.Migrator {
	t.Helper()
	var mg *versioned.Migrator
	var err error
	switch db := db.(type) {
	case *pgx.Conn:
		mg, err = versioned.NewMigratorConn(db, filesFS(files), opts)
	case migrate.DB:
		mg, err = versioned.NewMigrator(db, filesFS(files), opts)
	default:
		t.Fatalf("filesMigrator: %T is neither a *pgx.Conn nor a migrate.DB", db)
	}
	if err != nil {
		t.Fatalf("NewMigrator: %v", err)
	}
	return mg
}

// filesUp applies files to db, failing the test on any error.
func filesUp(ctx context.Context, t *testing.T, db any, files map[string]string, opts versioned.MigratorOptions) {
	t.Helper()
	if _, err := filesMigrator(t, db, files, opts).Up(ctx); err != nil {
		t.Fatal(err)
	}
}

// filesExists reports whether a relation exists.
func filesExists(t *testing.T, db migrate.Querier, name string) bool {
	t.Helper()
	var ok bool
	if err := db.QueryRow(context.Background(), "SELECT to_regclass($1) IS NOT NULL", name).Scan(&ok); err != nil {
		t.Fatal(err)
	}
	return ok
}

// filesRecorded returns the versions in the history table and whether
// each is dirty, as "1", "2(dirty)".
func filesRecorded(t *testing.T, db migrate.Querier, table string) []string {
	t.Helper()
	rows, err := db.Query(context.Background(), "SELECT version, dirty, kind FROM "+table+" ORDER BY version")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v int64
		var dirty bool
		var kind string
		if err := rows.Scan(&v, &dirty, &kind); err != nil {
			t.Fatal(err)
		}
		s := kind + ":" + strconv.FormatInt(v, 10)
		if dirty {
			s += "(dirty)"
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func filesVersions(rs []versioned.MigrationResult) []string {
	var out []string
	for _, r := range rs {
		out = append(out, string(r.Direction)+":"+strconv.FormatInt(r.Version, 10))
	}
	return out
}

var filesBasic = map[string]string{
	"0001_users.up.sql":   "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\nINSERT INTO users VALUES (1, 'a@example.com');",
	"0001_users.down.sql": "DROP TABLE users;",
	"0002_users_name.up.sql": "SET LOCAL lock_timeout = '2s';\n" +
		"ALTER TABLE users ADD COLUMN name text;\nCREATE INDEX users_email_idx ON users (email);",
	"0002_users_name.down.sql": "DROP INDEX users_email_idx;\nALTER TABLE users DROP COLUMN name;",
	"0003_orders.up.sql":       "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users);",
	"0003_orders.down.sql":     "DROP TABLE orders;",
}

func TestFilesUpStatusDownRedo(t *testing.T) {
	t.Parallel()
	ctx := filesCtx(t)
	db := cluster.NewDatabase(t)
	pool := db.Pool(t)
	mg := filesMigrator(t, pool, filesBasic, versioned.MigratorOptions{AllowDestructiveDown: true})

	res, err := mg.Up(ctx)
	if err != nil {
		t.Fatalf("Up: %v", err)
	}
	if got := filesVersions(res); !slices.Equal(got, []string{"up:1", "up:2", "up:3"}) {
		t.Fatalf("Up applied %v, want up:1 up:2 up:3", got)
	}
	if res[0].Source != "0001_users.up.sql" || res[0].Name != "users" || res[0].DryRun {
		t.Errorf("result[0] = %+v", res[0])
	}
	if !filesExists(t, pool, "orders") || !filesExists(t, pool, "users_email_idx") {
		t.Fatal("tables of the migrations are missing")
	}
	if got := filesRecorded(t, pool, "schema_migrations"); !slices.Equal(got, []string{"sql:1", "sql:2", "sql:3"}) {
		t.Fatalf("history = %v", got)
	}
	again, err := mg.Up(ctx)
	if err != nil || len(again) != 0 {
		t.Fatalf("second Up = %v, %v; want nothing to do", again, err)
	}

	sts, err := mg.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sts {
		if s.State != versioned.StateApplied || s.AppliedAt.IsZero() || time.Since(s.AppliedAt) > time.Minute {
			t.Errorf("status %d = %s at %v, want applied just now", s.Version, s.State, s.AppliedAt)
		}
	}

	down, err := mg.Down(ctx, 1)
	if err != nil || !slices.Equal(filesVersions(down), []string{"down:3"}) {
		t.Fatalf("Down(1) = %v, %v", filesVersions(down), err)
	}
	if filesExists(t, pool, "orders") {
		t.Fatal("orders still exists after Down")
	}
	sts, _ = mg.Status(ctx)
	if sts[2].State != versioned.StatePending || !sts[2].AppliedAt.IsZero() {
		t.Fatalf("status of 3 after Down = %+v, want pending", sts[2])
	}

	redo, err := mg.Redo(ctx)
	if err != nil || !slices.Equal(filesVersions(redo), []string{"down:2", "up:2"}) {
		t.Fatalf("Redo = %v, %v; want down:2 up:2", filesVersions(redo), err)
	}
	if !filesExists(t, pool, "users_email_idx") {
		t.Fatal("index of version 2 missing after Redo")
	}

	to, err := mg.UpTo(ctx, 3)
	if err != nil || !slices.Equal(filesVersions(to), []string{"up:3"}) {
		t.Fatalf("UpTo(3) = %v, %v", filesVersions(to), err)
	}
	all, err := mg.DownTo(ctx, 0)
	if err != nil || !slices.Equal(filesVersions(all), []string{"down:3", "down:2", "down:1"}) {
		t.Fatalf("DownTo(0) = %v, %v", filesVersions(all), err)
	}
	if filesExists(t, pool, "users") || len(filesRecorded(t, pool, "schema_migrations")) != 0 {
		t.Fatal("DownTo(0) left tables or history behind")
	}
}

func TestFilesDryRunChangesNothing(t *testing.T) {
	t.Parallel()
	ctx := filesCtx(t)
	db := cluster.NewDatabase(t)
	conn := db.Conn(t)
	files := map[string]string{
		"0001_users.up.sql": "CREATE TABLE users (id int);",
		"0002_alter.up.sql": "ALTER TABLE users ADD COLUMN a int;",
	}
	mg := filesMigrator(t, conn, files, versioned.MigratorOptions{DryRun: true})
	res, err := mg.Up(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 || !res[0].DryRun || !slices.Equal(res[1].Statements, []string{"ALTER TABLE users ADD COLUMN a int;"}) {
		t.Fatalf("dry-run results = %+v", res)
	}
	want := "0002_alter.up.sql: DDL on an existing table without SET lock_timeout; the runner sets lock_timeout=5s"
	if len(res[1].Warnings) != 1 || res[1].Warnings[0] != want {
		t.Errorf("warnings = %q, want %q", res[1].Warnings, want)
	}
	if filesExists(t, conn, "users") || filesExists(t, conn, "schema_migrations") {
		t.Fatal("dry run created tables")
	}
	if _, err := mg.Baseline(ctx, 2); err != nil || filesExists(t, conn, "schema_migrations") {
		t.Fatalf("dry-run Baseline wrote history: %v", err)
	}
}

func TestFilesFailingFileRollsBack(t *testing.T) {
	t.Parallel()
	ctx := filesCtx(t)
	db := cluster.NewDatabase(t)
	pool := db.Pool(t)
	files := map[string]string{
		"0001_ok.up.sql":     "CREATE TABLE ok (id int);",
		"0002_broken.up.sql": "CREATE TABLE half (id int);\nINSERT INTO ok VALUES (1);\n\nINSERT INTO missing VALUES (1);\n",
	}
	mg := filesMigrator(t, pool, files, versioned.MigratorOptions{})
	res, err := mg.Up(ctx)
	var me *versioned.MigrationError
	if !errors.As(err, &me) {
		t.Fatalf("Up error = %v, want *MigrationError", err)
	}
	if me.Version != 2 || me.Source != "0002_broken.up.sql" || me.Line != 4 || me.Statement != "INSERT INTO missing VALUES (1);" {
		t.Errorf("MigrationError = %+v", me)
	}
	if !strings.Contains(err.Error(), "0002_broken.up.sql:4") || !strings.Contains(err.Error(), "INSERT INTO missing") {
		t.Errorf("message %q does not name file, line and statement", err)
	}
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "42P01" {
		t.Errorf("cause = %v, want 42P01", err)
	}
	if !slices.Equal(filesVersions(res), []string{"up:1"}) {
		t.Errorf("results = %v, want up:1 only", filesVersions(res))
	}
	var n int
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM ok").Scan(&n); err != nil || n != 0 {
		t.Errorf("rows in ok = %d, %v; want 0 (insert rolled back)", n, err)
	}
	if filesExists(t, pool, "half") {
		t.Error("table of the failed version exists")
	}
	if got := filesRecorded(t, pool, "schema_migrations"); !slices.Equal(got, []string{"sql:1"}) {
		t.Errorf("history = %v, want sql:1", got)
	}
}

func TestFilesNoTransactionConcurrentIndex(t *testing.T) {
	t.Parallel()
	ctx := filesCtx(t)
	db := cluster.NewDatabase(t)
	pool := db.Pool(t)
	files := map[string]string{
		"0001_items.up.sql": "CREATE TABLE items (id int PRIMARY KEY, sku text);\nINSERT INTO items SELECT g, 'sku' || g FROM generate_series(1, 1000) g;",
		"0002_items_sku.up.sql": "-- norm:no-transaction\n" +
			// Snapshot, while the migration runs, whether its own statement
			// is in a transaction block and how many other backends of this
			// database have a transaction open.
			"CREATE TABLE tx_probe AS SELECT now() = statement_timestamp() AS autocommit,\n" +
			"  (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND xact_start IS NOT NULL) AS open_elsewhere;\n" +
			"CREATE INDEX CONCURRENTLY items_sku_idx ON items (sku);\n",
		"0002_items_sku.down.sql": "-- norm:no-transaction\nDROP INDEX CONCURRENTLY items_sku_idx;\n",
	}
	mg := filesMigrator(t, pool, files, versioned.MigratorOptions{})
	res, err := mg.Up(ctx)
	if err != nil {
		t.Fatalf("Up: %v", err)
	}
	if len(res) != 2 || !res[1].NoTransaction {
		t.Fatalf("results = %+v, want version 2 run without a transaction", res)
	}
	var autocommit bool
	var openElsewhere int
	if err := pool.QueryRow(ctx, "SELECT autocommit, open_elsewhere FROM tx_probe").Scan(&autocommit, &openElsewhere); err != nil {
		t.Fatal(err)
	}
	if !autocommit || openElsewhere != 0 {
		t.Fatalf("during the no-transaction file: autocommit=%v, other open transactions=%d; want true, 0", autocommit, openElsewhere)
	}
	var valid bool
	if err := pool.QueryRow(ctx, "SELECT indisvalid FROM pg_index WHERE indexrelid = 'items_sku_idx'::regclass").Scan(&valid); err != nil || !valid {
		t.Fatalf("items_sku_idx valid = %v, %v", valid, err)
	}
	if got := filesRecorded(t, pool, "schema_migrations"); !slices.Equal(got, []string{"sql:1", "sql:2"}) {
		t.Fatalf("history = %v, want both clean", got)
	}
	var locks int
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND d.datname = current_database()").Scan(&locks); err != nil || locks != 0 {
		t.Fatalf("advisory locks left = %d, %v", locks, err)
	}
	if _, err := mg.Down(ctx, 1); err != nil || filesExists(t, pool, "items_sku_idx") {
		t.Fatalf("Down of the no-transaction version: %v", err)
	}
}

func TestFilesNoTransactionFailureLeavesDirty(t *testing.T) {
	t.Parallel()
	ctx := filesCtx(t)
	db := cluster.NewDatabase(t)
	pool := db.Pool(t)
	files := map[string]string{
		"0001_items.up.sql":    "CREATE TABLE items (id int, sku text);\nINSERT INTO items VALUES (1, 'a'), (2, 'a');",
		"0002_sku_uniq.up.sql": "-- norm:no-transaction\nCREATE UNIQUE INDEX CONCURRENTLY items_sku_key ON items (sku);\n",
		"0003_more.up.sql":     "CREATE TABLE more (id int);",
	}
	mg := filesMigrator(t, pool, files, versioned.MigratorOptions{})
	_, err := mg.Up(ctx)
	var me *versioned.MigrationError
	if !errors.Is(err, versioned.ErrDirty) || !errors.As(err, &me) || me.Source != "0002_sku_uniq.up.sql" {
		t.Fatalf("Up error = %v, want ErrDirty and a MigrationError naming 0002_sku_uniq.up.sql", err)
	}
	for _, want := range []string{"baseline", "forget", "indisvalid"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("recovery message lacks %q: %v", want, err)
		}
	}
	if got := filesRecorded(t, pool, "schema_migrations"); !slices.Equal(got, []string{"sql:1", "sql:2(dirty)"}) {
		t.Fatalf("history = %v, want 2 dirty", got)
	}
	sts, _ := mg.Status(ctx)
	if sts[1].State != versioned.StateDirty || sts[2].State != versioned.StatePending {
		t.Fatalf("status = %+v", sts)
	}
	if _, err := mg.Up(ctx); !errors.Is(err, versioned.ErrDirty) || !strings.Contains(err.Error(), "version 2 (0002_sku_uniq.up.sql)") {
		t.Fatalf("Up on a dirty database = %v, want ErrDirty naming version 2", err)
	}
	if filesExists(t, pool, "more") {
		t.Fatal("Up ran version 3 past a dirty version")
	}
	// Recover: undo the partial effect, fix the data, forget, rerun.
	if _, err := pool.Exec(ctx, "DROP INDEX items_sku_key; DELETE FROM items WHERE id = 2"); err != nil {
		t.Fatal(err)
	}
	if _, err := mg.Forget(ctx, 2); err != nil {
		t.Fatalf("Forget: %v", err)
	}
	res, err := mg.Up(ctx)
	if err != nil || !slices.Equal(filesVersions(res), []string{"up:2", "up:3"}) {
		t.Fatalf("Up after recovery = %v, %v", filesVersions(res), err)
	}
	if _, err := mg.Forget(ctx, 2); err == nil || !strings.Contains(err.Error(), "applied and clean") {
		t.Fatalf("Forget of a clean version = %v, want refusal", err)
	}
}

func TestFilesDrift(t *testing.T) {
	t.Parallel()
	ctx := filesCtx(t)
	db := cluster.NewDatabase(t)
	pool := db.Pool(t)
	files := map[string]string{"0001_a.up.sql": "CREATE TABLE a (id int);"}
	filesUp(ctx, t, pool, files, versioned.MigratorOptions{})
	edited := map[string]string{
		"0001_a.up.sql": "CREATE TABLE a (id bigint);",
		"0002_b.up.sql": "CREATE TABLE b (id int);",
	}
	mg := filesMigrator(t, pool, edited, versioned.MigratorOptions{})
	sts, err := mg.Status(ctx)
	if err != nil || sts[0].State != versioned.StateDrift || sts[1].State != versioned.StatePending {
		t.Fatalf("status = %+v, %v; want drift, pending", sts, err)
	}
	if _, err := mg.Up(ctx); !errors.Is(err, versioned.ErrDrift) || !strings.Contains(err.Error(), "version 1 (0001_a.up.sql)") {
		t.Fatalf("Up = %v, want ErrDrift naming version 1", err)
	}
	if filesExists(t, pool, "b") {
		t.Fatal("Up ran despite drift")
	}
	res, err := mg.Baseline(ctx, 1)
	if err != nil || len(res) != 1 || res[0].Direction != versioned.DirectionBaseline {
		t.Fatalf("Baseline(1) = %+v, %v", res, err)
	}
	if res, err := mg.Up(ctx); err != nil || !slices.Equal(filesVersions(res), []string{"up:2"}) {
		t.Fatalf("Up after accepting the drift = %v, %v", filesVersions(res), err)
	}
}

// TestFilesDownRefusesDrift: Down and DownTo refuse to roll back a version
// whose files changed since it was applied (its down may not undo what
// ran) until the change is accepted; Redo, made for editing a migration
// being written, rolls it back with the current down.
func TestFilesDownRefusesDrift(t *testing.T) {
	t.Parallel()
	ctx := filesCtx(t)
	db := cluster.NewDatabase(t)
	pool := db.Pool(t)
	files := filesStatusBase
	opts := versioned.MigratorOptions{AllowDestructiveDown: true}
	filesUp(ctx, t, pool, files, opts)
	edited := maps.Clone(files)
	edited["0002_b.down.sql"] = "DROP TABLE b; DROP TABLE a;"
	mg := filesMigrator(t, pool, edited, opts)
	for name, down := range map[string]func() ([]versioned.MigrationResult, error){
		"Down(1)":   func() ([]versioned.MigrationResult, error) { return mg.Down(ctx, 1) },
		"DownTo(0)": func() ([]versioned.MigrationResult, error) { return mg.DownTo(ctx, 0) },
	} {
		if _, err := down(); !errors.Is(err, versioned.ErrDrift) || !strings.Contains(err.Error(), "version 2 (0002_b.up.sql)") || !strings.Contains(err.Error(), "migrate baseline 2") {
			t.Fatalf("%s = %v, want ErrDrift naming version 2 and the way out", name, err)
		}
		if !filesExists(t, pool, "a") || !filesExists(t, pool, "b") {
			t.Fatalf("%s ran despite drift", name)
		}
	}
	if res, err := mg.Redo(ctx); err != nil || !slices.Equal(filesVersions(res), []string{"down:2", "up:2"}) {
		t.Fatalf("Redo of the edited version = %v, %v", filesVersions(res), err)
	}
	if filesExists(t, pool, "a") {
		t.Fatal("Redo did not run the current down file")
	}
	if _, err := pool.Exec(ctx, "CREATE TABLE a (id int)"); err != nil {
		t.Fatal(err)
	}
	edited["0002_b.down.sql"] = "DROP TABLE b;"
	mg = filesMigrator(t, pool, edited, opts)
	if _, err := mg.Baseline(ctx, 2); err != nil {
		t.Fatal(err)
	}
	if res, err := mg.Down(ctx, 1); err != nil || !slices.Equal(filesVersions(res), []string{"down:2"}) {
		t.Fatalf("Down after accepting the change = %v, %v", filesVersions(res), err)
	}
}

func TestFilesGap(t *testing.T) {
	t.Parallel()
	ctx := filesCtx(t)
	db := cluster.NewDatabase(t)
	pool := db.Pool(t)
	early := map[string]string{"0001_a.up.sql": "CREATE TABLE a (id int);", "0003_c.up.sql": "CREATE TABLE c (id int);"}
	filesUp(ctx, t, pool, early, versioned.MigratorOptions{})
	late := map[string]string{"0001_a.up.sql": early["0001_a.up.sql"], "0003_c.up.sql": early["0003_c.up.sql"],
		"0002_b.up.sql": "CREATE TABLE b (id int);", "0004_d.up.sql": "CREATE TABLE d (id int);"}
	_, err := filesMigrator(t, pool, late, versioned.MigratorOptions{}).Up(ctx)
	if !errors.Is(err, versioned.ErrGap) || !strings.Contains(err.Error(), "2 (0002_b.up.sql) pending below applied version 3") {
		t.Fatalf("Up = %v, want ErrGap naming version 2", err)
	}
	if filesExists(t, pool, "b") || filesExists(t, pool, "d") {
		t.Fatal("Up ran despite the gap")
	}
	res, err := filesMigrator(t, pool, late, versioned.MigratorOptions{AllowOutOfOrder: true}).Up(ctx)
	if err != nil || !slices.Equal(filesVersions(res), []string{"up:2", "up:4"}) {
		t.Fatalf("Up out of order = %v, %v", filesVersions(res), err)
	}
}

func TestFilesDownGates(t *testing.T) {
	t.Parallel()
	ctx := filesCtx(t)
	db := cluster.NewDatabase(t)
	pool := db.Pool(t)
	files := map[string]string{
		"0001_a.up.sql":   "CREATE TABLE a (id int, note text);",
		"0001_a.down.sql": "-- gone for good\nDROP TABLE a;",
		"0002_idx.up.sql": "CREATE INDEX a_note_idx ON a (note);",
		// A comment and a string that mention DROP TABLE do not trip the gate.
		"0002_idx.down.sql": "-- DROP TABLE a would be wrong here\nDROP INDEX a_note_idx;\nSELECT 'DROP TABLE a';",
		"0003_col.up.sql":   "ALTER TABLE a ADD COLUMN extra int;",
		"0003_col.down.sql": "ALTER TABLE a\n  DROP extra;",
	}
	mg := filesMigrator(t, pool, files, versioned.MigratorOptions{})
	if _, err := mg.Up(ctx); err != nil {
		t.Fatal(err)
	}
	_, err := mg.Down(ctx, 2)
	var ge *versioned.GateError
	if !errors.Is(err, versioned.ErrGateRefused) || !errors.As(err, &ge) {
		t.Fatalf("Down(2) = %v, want ErrGateRefused", err)
	}
	if ge.File != "0003_col.down.sql" || ge.Line != 1 || ge.Reason != "ALTER TABLE … DROP COLUMN" {
		t.Errorf("GateError = %+v", ge)
	}
	if got := filesRecorded(t, pool, "schema_migrations"); len(got) != 3 {
		t.Fatalf("history after a refused down = %v, want untouched", got)
	}
	_, err = mg.DownTo(ctx, 0)
	if !errors.As(err, &ge) || ge.File != "0003_col.down.sql" {
		t.Fatalf("DownTo(0) = %v, want the first refused file named", err)
	}
	allowed := filesMigrator(t, pool, files, versioned.MigratorOptions{AllowDestructiveDown: true})
	if res, err := allowed.Down(ctx, 2); err != nil || !slices.Equal(filesVersions(res), []string{"down:3", "down:2"}) {
		t.Fatalf("allowed Down(2) = %v, %v", filesVersions(res), err)
	}
	if _, err := mg.Down(ctx, 1); !errors.As(err, &ge) || ge.Reason != "DROP TABLE" || ge.Line != 2 {
		t.Fatalf("Down of 1 = %v, want DROP TABLE refused at line 2", err)
	}
}

func TestFilesBaselineAndNoDown(t *testing.T) {
	t.Parallel()
	ctx := filesCtx(t)
	db := cluster.NewDatabase(t)
	pool := db.Pool(t)
	if _, err := pool.Exec(ctx, "CREATE TABLE legacy (id int)"); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"0001_legacy.up.sql": "CREATE TABLE legacy (id int);", // would fail: already there
		"0002_new.up.sql":    "CREATE TABLE fresh (id int);",
	}
	mg := filesMigrator(t, pool, files, versioned.MigratorOptions{HistoryTable: `ops.Mig"History`})
	if _, err := mg.Baseline(ctx, 7); !errors.Is(err, versioned.ErrUnknownVersion) {
		t.Fatalf("Baseline(7) = %v, want ErrUnknownVersion", err)
	}
	res, err := mg.Baseline(ctx, 1)
	if err != nil || !slices.Equal(filesVersions(res), []string{"baseline:1"}) {
		t.Fatalf("Baseline(1) = %v, %v", filesVersions(res), err)
	}
	up, err := mg.Up(ctx)
	if err != nil || !slices.Equal(filesVersions(up), []string{"up:2"}) {
		t.Fatalf("Up after baseline = %v, %v", filesVersions(up), err)
	}
	if got := filesRecorded(t, pool, `ops."Mig""History"`); !slices.Equal(got, []string{"sql:1", "sql:2"}) {
		t.Fatalf("history in ops.\"Mig\"\"History\" = %v", got)
	}
	_, err = mg.Down(ctx, 1)
	if !errors.Is(err, versioned.ErrNoDown) || !strings.Contains(err.Error(), "0002_new.up.sql") {
		t.Fatalf("Down without a down file = %v, want ErrNoDown naming the file", err)
	}
}

func TestFilesDryRunDownRedoForget(t *testing.T) {
	t.Parallel()
	ctx := filesCtx(t)
	db := cluster.NewDatabase(t)
	pool := db.Pool(t)
	files := map[string]string{
		"0001_a.up.sql":   "CREATE TABLE a (id int);",
		"0001_a.down.sql": "DROP TABLE a;",
	}
	filesUp(ctx, t, pool, files, versioned.MigratorOptions{})
	dry := filesMigrator(t, pool, files, versioned.MigratorOptions{DryRun: true, AllowDestructiveDown: true})
	down, err := dry.Down(ctx, 1)
	if err != nil || len(down) != 1 || !down[0].DryRun || !slices.Equal(down[0].Statements, []string{"DROP TABLE a;"}) {
		t.Fatalf("dry-run Down = %+v, %v", down, err)
	}
	redo, err := dry.Redo(ctx)
	if err != nil || !slices.Equal(filesVersions(redo), []string{"down:1", "up:1"}) || !redo[1].DryRun {
		t.Fatalf("dry-run Redo = %+v, %v", redo, err)
	}
	if !filesExists(t, pool, "a") || len(filesRecorded(t, pool, "schema_migrations")) != 1 {
		t.Fatal("dry runs changed the database")
	}
	// Gates apply to dry runs too: they report what the real run would hit.
	gated := filesMigrator(t, pool, files, versioned.MigratorOptions{DryRun: true})
	if _, err := gated.Down(ctx, 1); !errors.Is(err, versioned.ErrGateRefused) {
		t.Fatalf("gated dry-run Down = %v, want ErrGateRefused", err)
	}
}
