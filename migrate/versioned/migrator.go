package versioned

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/normkit/norm/migrate/internal/lock"
)

// MigratorOptions configures a Migrator. The zero value is ready to use.
type MigratorOptions struct {
	// HistoryTable is the table recording applied versions, "name" or
	// "schema.name" (each part quoted as given). Default
	// "schema_migrations". It is created, with its schema, when missing.
	HistoryTable string
	// LockTimeout is set (SET LOCAL lock_timeout) for every migration, so
	// DDL waiting behind a long reader fails instead of queueing every
	// other query behind it. Default 5s; negative means none. A file may
	// SET its own.
	LockTimeout time.Duration
	// StatementTimeout is set the same way; 0 (the default) means none.
	StatementTimeout time.Duration
	// AllowOutOfOrder applies pending versions lower than the highest
	// applied one instead of failing with ErrGap.
	AllowOutOfOrder bool
	// AllowDestructiveDown lets down migrations run DROP TABLE, DROP
	// SCHEMA, ALTER TABLE … DROP COLUMN, TRUNCATE and DELETE; without it
	// they are refused with a *GateError before anything runs.
	AllowDestructiveDown bool
	// DryRun makes every command report what it would do and execute
	// nothing: no migration runs, the history table is neither created
	// nor written.
	DryRun bool
	// Progress, when set, receives one line as each migration starts and
	// ends.
	Progress io.Writer
	// OnProgress, when set, receives samples of the index builds a
	// no-transaction file runs (CREATE INDEX CONCURRENTLY), read every
	// ProgressInterval from pg_stat_progress_create_index on a second
	// connection of the pool; it is called from another goroutine, one
	// call at a time, and must return quickly. A Migrator over a single
	// connection (NewMigratorConn) reports none. Progress is best effort:
	// a failed read stops the samples, never the migration.
	OnProgress func(Progress)
	// ProgressInterval is how often OnProgress is called while an index
	// builds. Default 1s.
	ProgressInterval time.Duration
}

// defaultLockTimeout is the LockTimeout used when none is set.
const defaultLockTimeout = 5 * time.Second

func (o MigratorOptions) withDefaults() MigratorOptions {
	if o.HistoryTable == "" {
		o.HistoryTable = "schema_migrations"
	}
	if o.LockTimeout == 0 {
		o.LockTimeout = defaultLockTimeout
	}
	return o
}

// Direction says what a MigrationResult did.
type Direction string

// Directions of a MigrationResult.
const (
	DirectionUp       Direction = "up"
	DirectionDown     Direction = "down"
	DirectionBaseline Direction = "baseline" // marked applied without running
	DirectionForget   Direction = "forget"   // a dirty record removed
)

// MigrationResult describes one migration a command ran (or, with
// DryRun, would run).
type MigrationResult struct {
	Version       int64         `json:"version"`
	Name          string        `json:"name"`
	Source        string        `json:"source"`
	Direction     Direction     `json:"direction"`
	Duration      time.Duration `json:"duration_ns"`
	DryRun        bool          `json:"dry_run,omitempty"`
	NoTransaction bool          `json:"no_transaction,omitempty"`
	// Statements lists the SQL a dry run would execute (SQL migrations).
	Statements []string `json:"statements,omitempty"`
	// Warnings lists hazards of the file (see Migration.Warnings).
	Warnings []string `json:"warnings,omitempty"`
}

// Migrator runs SQL-file and Go migrations against one database. It is an
// explicit value: no package-level registry. Each version runs in its own
// transaction holding pg_advisory_xact_lock(LockKey) (taken by polling, so
// a waiting migrator never holds a transaction open), with its history row
// written in that transaction, so concurrent migrators apply every version
// exactly once. Files with "-- norm:no-transaction" run statement by
// statement on one connection under pg_advisory_lock(LockKey).
//
// A Migrator is safe for sequential use; do not call AddGo concurrently
// with a command.
type Migrator struct {
	db lock.Target
	// pool is db as given to NewMigrator, nil for NewMigratorConn: the
	// progress of an index build is read on a second connection of it.
	pool       DB
	opts       MigratorOptions
	hist       history
	migrations []*Migration
}

// NewMigrator loads the SQL migrations in the root of fsys (nil for Go
// migrations only; use fs.Sub for a subdirectory, embed.FS works) and
// returns a Migrator for db, a *pgxpool.Pool or norm's *pool.DB (see DB):
// each version runs in a transaction begun on db, and a no-transaction
// file on one connection acquired from it. Malformed names, duplicate
// versions and files that cannot be split fail here, naming the file. db
// must reach PostgreSQL directly, not through PgBouncer in transaction
// mode.
func NewMigrator(db DB, fsys fs.FS, opts MigratorOptions) (*Migrator, error) {
	if db == nil {
		return nil, fmt.Errorf("migrate: NewMigrator: db is nil")
	}
	mg, err := newMigrator(lock.OnPool(db), fsys, opts)
	if err != nil {
		return nil, err
	}
	mg.pool = db
	return mg, nil
}

// NewMigratorConn is NewMigrator over a single connection, which then
// carries every migration and read. conn must reach PostgreSQL directly
// and must not be used by anything else while a command runs.
func NewMigratorConn(conn *pgx.Conn, fsys fs.FS, opts MigratorOptions) (*Migrator, error) {
	if conn == nil {
		return nil, fmt.Errorf("migrate: NewMigratorConn: conn is nil")
	}
	return newMigrator(lock.OnConn(conn), fsys, opts)
}

func newMigrator(db lock.Target, fsys fs.FS, opts MigratorOptions) (*Migrator, error) {
	opts = opts.withDefaults()
	hist, err := newHistory(opts.HistoryTable)
	if err != nil {
		return nil, err
	}
	mg := &Migrator{db: db, opts: opts, hist: hist}
	if fsys != nil {
		if mg.migrations, err = loadFiles(fsys); err != nil {
			return nil, err
		}
	}
	return mg, nil
}

// Migrations returns the known migrations in version order.
func (mg *Migrator) Migrations() []*Migration {
	return append([]*Migration(nil), mg.migrations...)
}

func (mg *Migrator) find(v int64) *Migration {
	for _, m := range mg.migrations {
		if m.Version == v {
			return m
		}
	}
	return nil
}

// Status reports every known migration (pending, applied, dirty or
// drift) and every recorded version without a migration (missing), in
// version order, with applied_at and duration. It does not create the
// history table.
func (mg *Migrator) Status(ctx context.Context) ([]MigrationStatus, error) {
	hist, err := mg.history(ctx)
	if err != nil {
		return nil, err
	}
	return statuses(mg.migrations, hist, &mg.opts), nil
}

// Up applies every pending migration in version order. It fails before
// running anything when a version is dirty (ErrDirty), an applied file
// changed (ErrDrift) or a pending version is below the highest applied one
// (ErrGap, unless AllowOutOfOrder). Results list only the migrations this
// call applied; a version another migrator applied meanwhile is skipped.
// Checksums recorded in the pre-v2 format that still match their up file
// are first rewritten in the current format (see Migration.Checksum).
func (mg *Migrator) Up(ctx context.Context) ([]MigrationResult, error) {
	return mg.upTo(ctx, 0)
}

// UpTo applies pending migrations with versions up to and including v,
// which must be a known version.
func (mg *Migrator) UpTo(ctx context.Context, v int64) ([]MigrationResult, error) {
	if mg.find(v) == nil {
		return nil, fmt.Errorf("%w: UpTo(%d): no migration has that version", ErrUnknownVersion, v)
	}
	return mg.upTo(ctx, v)
}

func (mg *Migrator) upTo(ctx context.Context, limit int64) ([]MigrationResult, error) {
	hist, err := mg.ensureHistory(ctx)
	if err != nil {
		return nil, err
	}
	pending, err := pendingMigrations(mg.migrations, hist, limit, mg.opts.AllowOutOfOrder)
	if err != nil {
		return nil, err
	}
	var results []MigrationResult
	for _, m := range pending {
		if mg.opts.DryRun {
			results = append(results, mg.planned(m, DirectionUp))
			continue
		}
		res, applied, err := mg.applyUp(ctx, m)
		if err != nil {
			return results, err
		}
		if applied {
			results = append(results, res)
		}
	}
	return results, nil
}

// planned is the dry-run result for m in direction d.
func (mg *Migrator) planned(m *Migration, d Direction) MigrationResult {
	res := resultOf(m, d, 0)
	res.DryRun = true
	sc := m.up
	if d == DirectionDown {
		sc = m.down
	}
	if sc != nil && d != DirectionBaseline {
		for _, st := range sc.Statements {
			res.Statements = append(res.Statements, st.SQL)
		}
	}
	if d == DirectionUp {
		res.Warnings = m.Warnings(mg.opts)
	}
	return res
}

func resultOf(m *Migration, d Direction, took time.Duration) MigrationResult {
	nt := m.NoTransaction()
	if d == DirectionDown {
		nt = m.down != nil && m.down.NoTransaction
	}
	return MigrationResult{Version: m.Version, Name: m.Name, Source: m.Source(), Direction: d, Duration: took, NoTransaction: nt}
}

// applyUp runs one migration; applied is false when another migrator had
// already applied it.
func (mg *Migrator) applyUp(ctx context.Context, m *Migration) (MigrationResult, bool, error) {
	mg.progress("applying %d %s (%s)", m.Version, m.Name, m.Source())
	start := time.Now()
	var applied bool
	var err error
	if m.NoTransaction() {
		applied, err = mg.upOutsideTx(ctx, m)
	} else {
		applied, err = mg.lockedTx(ctx, func(tx pgx.Tx) (bool, error) {
			if err := mg.checkClean(ctx, tx); err != nil {
				return false, err
			}
			if _, found, err := mg.hist.row(ctx, tx, m.Version); err != nil || found {
				return false, err
			}
			if err := mg.runUp(ctx, tx, m); err != nil {
				return false, err
			}
			return true, mg.hist.insert(ctx, tx, m, time.Since(start), false)
		})
	}
	took := time.Since(start)
	if err != nil || !applied {
		return MigrationResult{}, false, err
	}
	mg.progress("applied %d %s in %s", m.Version, m.Name, took.Round(time.Millisecond))
	return resultOf(m, DirectionUp, took), true, nil
}

// runUp runs m's up in tx (a no-transaction file runs elsewhere, on the
// connection itself; a Go migration always runs in a transaction).
func (mg *Migrator) runUp(ctx context.Context, tx pgx.Tx, m *Migration) error {
	if m.Kind == KindGo {
		return goErr(m, DirectionUp, m.goUp(ctx, tx))
	}
	return execScript(ctx, tx, m, m.up, DirectionUp)
}

func (mg *Migrator) progress(format string, args ...any) {
	if mg.opts.Progress != nil {
		_, _ = fmt.Fprintf(mg.opts.Progress, format+"\n", args...)
	}
}

// ensureHistory creates the history table under the migration lock and,
// in the same transaction, reads the history and rewrites verified
// old-format checksums to the current format. It returns the history as
// read (in a dry run, which changes nothing, as it stands).
func (mg *Migrator) ensureHistory(ctx context.Context) ([]historyRow, error) {
	if mg.opts.DryRun {
		return mg.history(ctx)
	}
	var hist []historyRow
	_, err := mg.lockedTx(ctx, func(tx pgx.Tx) (bool, error) {
		if err := mg.hist.create(ctx, tx); err != nil {
			return false, err
		}
		var err error
		if hist, err = mg.hist.read(ctx, tx); err != nil {
			return false, err
		}
		return true, mg.upgradeChecksums(ctx, tx, hist)
	})
	if err != nil {
		return nil, err
	}
	return hist, nil
}

// checkClean fails with ErrDirty when any version is dirty; call it
// holding the migration lock.
func (mg *Migrator) checkClean(ctx context.Context, q querier) error {
	v, err := mg.hist.firstDirty(ctx, q)
	if err != nil || v == 0 {
		return err
	}
	src := strconv.FormatInt(v, 10)
	if m := mg.find(v); m != nil {
		src = m.Source()
	}
	return fmt.Errorf("%w: version %d (%s): %s", ErrDirty, v, src, recoveryHint)
}

// upOutsideTx runs a no-transaction file: the version is recorded dirty
// first, the statements run one by one with no transaction open, and the
// row is marked clean at the end. On failure the version stays dirty.
func (mg *Migrator) upOutsideTx(ctx context.Context, m *Migration) (bool, error) {
	conn, release, err := mg.sessionConn(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	if err := mg.checkClean(ctx, conn); err != nil {
		return false, err
	}
	if _, found, err := mg.hist.row(ctx, conn, m.Version); err != nil || found {
		return false, err
	}
	start := time.Now()
	if err := mg.hist.insert(ctx, conn, m, 0, true); err != nil {
		return false, err
	}
	stop := mg.watchProgress(ctx, conn.PgConn().PID(), m)
	err = execScript(ctx, conn, m, m.up, DirectionUp)
	stop()
	if err != nil {
		return false, fmt.Errorf("%w\n%w: version %d (%s) is recorded dirty: %s", err, ErrDirty, m.Version, m.Source(), recoveryHint)
	}
	return true, mg.hist.markClean(ctx, conn, m.Version, time.Since(start))
}

// history reads the history table on a dedicated connection, so a pool
// that routes reads to replicas still shows what the migrators wrote.
func (mg *Migrator) history(ctx context.Context) ([]historyRow, error) {
	return lock.On(ctx, mg.db, func(c *pgx.Conn) ([]historyRow, error) { return mg.hist.rows(ctx, c) })
}
