package versioned

import (
	"context"
	"errors"
	"fmt"

	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// LintOptions configures Migrator.Lint.
type LintOptions struct {
	// From: versions up to From are replayed (applied without being
	// linted), the ones above are linted. 0 lints every version.
	From int64
	// Rows is the number of rows seeded into each empty table before each
	// file. Default 3.
	Rows int
}

// Lint runs each pending migration file on the Migrator's database — a
// scratch database, never one that matters: Lint applies the migrations
// there — and reports what the server actually did, statement by
// statement, as findings with the planner's hazard codes (see
// migrate.HazardCatalog).
//
// Versions up to opts.From are applied first. Then, for each later file:
// every empty table is seeded with opts.Rows rows of type-correct values
// (parents before the tables whose foreign keys reference them; a table
// that cannot be seeded is named in LintFile.Unseeded); the file runs in a
// transaction that is rolled back, and around each statement lint reads
// the catalog, the locks its backend holds (pg_locks) and the sequential
// scans of the transaction (pg_stat_xact_user_tables); then the file is
// applied for real so the next file sees the schema before it. A
// no-transaction file runs statement by statement, each in a transaction
// of its own where PostgreSQL allows it (committed), and bare otherwise
// (CREATE INDEX CONCURRENTLY and the like, whose locks are not observed).
//
// What is reported, for tables that existed before the file:
// table-rewrite (its relfilenode changed: a volatile default, a type
// change), validating-constraint (a CHECK or FOREIGN KEY added without
// NOT VALID on a populated table, or validated while an earlier statement
// of the file holds a write-blocking lock), set-not-null-scan (SET NOT
// NULL scanned the table), blocking-index (an index built under SHARE:
// no CONCURRENTLY), blocking-unique (an index built inside ALTER TABLE,
// under ACCESS EXCLUSIVE), blocking-drop-index, drop-table, drop-column,
// rename, type-change (no rewrite), exclusive-lock-held (ACCESS
// EXCLUSIVE taken by one statement and held while a later one locks
// another table) and statement-fails or not-null-no-default (the file
// fails on the scratch database, or a COMMIT in a transactional file ends
// its transaction; later files are then skipped). A
// finding is accepted by a "-- norm:allow CODE REASON" comment before
// the file's first statement (the whole file) or among a statement's
// leading comments; the reason is required. Go migrations are applied,
// not linted.
func (mg *Migrator) Lint(ctx context.Context, opts LintOptions) (*LintReport, error) {
	if mg.pool == nil {
		return nil, fmt.Errorf("migrate: lint needs a Migrator made by NewMigrator (a pool), not NewMigratorConn")
	}
	if opts.Rows <= 0 {
		opts.Rows = 3
	}
	if opts.From > 0 {
		if _, err := mg.UpTo(ctx, opts.From); err != nil {
			return nil, fmt.Errorf("migrate: lint: replay the migrations up to %d: %w", opts.From, err)
		}
	}
	report := &LintReport{}
	failed := ""
	for _, m := range mg.migrations {
		if m.Version <= opts.From {
			continue
		}
		lf := LintFile{Version: m.Version, File: m.Source(), NoTransaction: m.NoTransaction(), Findings: []LintFinding{}}
		switch {
		case failed != "":
			lf.Skipped = "an earlier file failed on the scratch database: " + failed
		case m.up == nil:
			lf.Skipped = "a Go migration: applied, not linted"
			if _, err := mg.UpTo(ctx, m.Version); err != nil {
				return nil, fmt.Errorf("migrate: lint: apply %s: %w", m.Source(), err)
			}
		default:
			ok, err := mg.lintFile(ctx, m, opts, &lf)
			if err != nil {
				return nil, err
			}
			if !ok {
				failed = m.Source()
			}
		}
		report.Files = append(report.Files, lf)
	}
	return report, nil
}

// lintFile seeds, runs and applies one file; ok is false when a statement
// failed.
func (mg *Migrator) lintFile(ctx context.Context, m *Migration, opts LintOptions, lf *LintFile) (ok bool, err error) {
	allow, err := allowances(m.up)
	if err != nil {
		return false, err
	}
	conn, err := mg.pool.Acquire(ctx)
	if err != nil {
		return false, fmt.Errorf("migrate: lint: %w", err)
	}
	release := sync.OnceFunc(conn.Release)
	defer release()
	c := conn.Conn()
	if lf.Unseeded, err = seed(ctx, c, opts.Rows, mg.hist.raw); err != nil {
		return false, err
	}
	start, err := takeSnapshot(ctx, c, false)
	if err != nil {
		return false, err
	}
	fr := &fileRun{start: start, populated: map[uint32]bool{}, exclusive: map[uint32]int{}}
	for oid, r := range start.rels {
		if r.kind == "r" || r.kind == "p" || r.kind == "m" {
			var has bool
			if err := c.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM "+r.name+")").Scan(&has); err != nil {
				return false, fmt.Errorf("migrate: lint: read %s: %w", r.name, err)
			}
			fr.populated[oid] = has
		}
	}
	if m.up.NoTransaction {
		ok, err = fr.runOutside(ctx, c, m.up)
	} else {
		ok, err = fr.runInTx(ctx, c, m.up)
	}
	release() // Baseline and UpTo below take connections of their own
	if err != nil {
		return false, err
	}
	for i := range fr.findings {
		f := &fr.findings[i]
		idx := statementIndex(m.up, f.Line)
		f.AllowReason, f.Allowed = allowedBy(allow, idx, f.Code)
	}
	lf.Findings = append(lf.Findings, fr.findings...)
	lf.Statements = fr.stmts
	if !ok {
		return false, nil
	}
	if m.up.NoTransaction {
		_, err = mg.Baseline(ctx, m.Version)
	} else {
		_, err = mg.UpTo(ctx, m.Version)
	}
	if err != nil {
		return false, fmt.Errorf("migrate: lint: apply %s on the scratch database: %w", m.Source(), err)
	}
	return true, nil
}

// runInTx runs the file in one transaction, observing each statement,
// and rolls it back.
func (fr *fileRun) runInTx(ctx context.Context, c *pgx.Conn, sc *script) (bool, error) {
	tx, err := c.Begin(ctx)
	if err != nil {
		return false, fmt.Errorf("migrate: lint: %w", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	for _, st := range sc.Statements {
		b, err := takeSnapshot(ctx, tx, true)
		if err != nil {
			return false, err
		}
		if _, err := tx.Exec(ctx, st.SQL, pgx.QueryExecModeSimpleProtocol); err != nil {
			fr.failed(st, err)
			return false, nil
		}
		if c.PgConn().TxStatus() != 'T' { // COMMIT, ROLLBACK or END in the file
			fr.add(st, "", "statement-fails", "ended the transaction the runner wraps the file in: the statements after it would run outside a transaction (drop the transaction control, or mark the file -- norm:no-transaction)")
			return false, nil
		}
		a, err := takeSnapshot(ctx, tx, true)
		if err != nil {
			return false, err
		}
		fr.observe(st, b, a, false)
	}
	return true, nil
}

// runOutside runs a no-transaction file statement by statement, each in
// a transaction of its own (committed) unless PostgreSQL refuses to run
// it in one, then bare.
func (fr *fileRun) runOutside(ctx context.Context, c *pgx.Conn, sc *script) (bool, error) {
	for _, st := range sc.Statements {
		fr.exclusive = map[uint32]int{}
		tx, err := c.Begin(ctx)
		if err != nil {
			return false, fmt.Errorf("migrate: lint: %w", err)
		}
		b, err := takeSnapshot(ctx, tx, true)
		if err != nil {
			_ = tx.Rollback(ctx)
			return false, err
		}
		_, err = tx.Exec(ctx, st.SQL, pgx.QueryExecModeSimpleProtocol)
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "25001" { // active_sql_transaction: cannot run inside a transaction block
			_ = tx.Rollback(ctx)
			if _, err := c.Exec(ctx, st.SQL, pgx.QueryExecModeSimpleProtocol); err != nil {
				fr.failed(st, err)
				return false, nil
			}
			a, err := takeSnapshot(ctx, c, false)
			if err != nil {
				return false, err
			}
			fr.observe(st, b, a, true)
			continue
		}
		if err != nil {
			_ = tx.Rollback(ctx)
			fr.failed(st, err)
			return false, nil
		}
		a, err := takeSnapshot(ctx, tx, true)
		if err == nil {
			fr.observe(st, b, a, false)
			err = tx.Commit(ctx)
		}
		if err != nil {
			_ = tx.Rollback(ctx)
			return false, fmt.Errorf("migrate: lint: %w", err)
		}
	}
	return true, nil
}

// failed records a statement that failed on the scratch database.
func (fr *fileRun) failed(st statement, err error) {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23502" && startsWith(st.code(), "alter", "table") {
		fr.add(st, "", "not-null-no-default", "failed on a table with rows: "+pgErr.Message)
		return
	}
	fr.add(st, "", "statement-fails", "failed on the scratch database: "+err.Error())
}

// startsWith reports whether the statement's first words are words.
func startsWith(code []token, words ...string) bool {
	if len(code) < len(words) {
		return false
	}
	for i, w := range words {
		if !strings.EqualFold(code[i].text, w) {
			return false
		}
	}
	return true
}

// statementIndex is the index of the statement starting on line, or -1.
func statementIndex(sc *script, line int) int {
	for i, st := range sc.Statements {
		if st.Line == line {
			return i
		}
	}
	return -1
}
