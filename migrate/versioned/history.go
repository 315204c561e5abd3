package versioned

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// historyRow is one row of the file/Go migration history table.
type historyRow struct {
	Version   int64
	Name      string
	Kind      MigrationKind
	Checksum  string
	AppliedAt time.Time
	Duration  time.Duration
	Dirty     bool
}

// history reads and writes the history table. Its columns:
// version bigint primary key, name, kind ('sql' or 'go'), checksum ("v2:"
// and the hex SHA-256 of the up and down files, or the bare hex SHA-256 of
// the up file written before v2; see checksum.go; empty for Go),
// applied_at timestamptz, execution_ms bigint, dirty boolean.
type history struct {
	table  string // quoted, possibly schema-qualified
	schema string // quoted schema, "" when unqualified
	raw    string // as configured, for to_regclass
}

// newHistory quotes a table name of the form "table" or
// "schema.table".
func newHistory(name string) (history, error) {
	parts := strings.Split(name, ".")
	for _, p := range parts {
		if p == "" {
			return history{}, fmt.Errorf("migrate: history table %q: empty name part", name)
		}
	}
	switch len(parts) {
	case 1:
		return history{table: pgx.Identifier{parts[0]}.Sanitize(), raw: name}, nil
	case 2:
		return history{
			table:  pgx.Identifier{parts[0], parts[1]}.Sanitize(),
			schema: pgx.Identifier{parts[0]}.Sanitize(),
			raw:    name,
		}, nil
	}
	return history{}, fmt.Errorf("migrate: history table %q: want table or schema.table", name)
}

// create makes the table (and its schema) if missing. Run it under the
// migration lock: concurrent CREATE TABLE IF NOT EXISTS can fail with a
// unique violation in pg_type. An existing table is left alone without
// DDL, so a role without CREATE privilege can migrate once it exists.
func (h history) create(ctx context.Context, q querier) error {
	if ok, err := h.exists(ctx, q); err != nil || ok {
		return err
	}
	if h.schema != "" {
		var missing bool
		if err := q.QueryRow(ctx, "SELECT to_regnamespace($1) IS NULL", h.schema).Scan(&missing); err != nil {
			return fmt.Errorf("migrate: look up schema of history table %s: %w", h.raw, err)
		}
		if !missing {
			return h.createTable(ctx, q)
		}
		if _, err := q.Exec(ctx, "CREATE SCHEMA "+h.schema); err != nil {
			return fmt.Errorf("migrate: create schema of history table %s: %w", h.raw, err)
		}
	}
	return h.createTable(ctx, q)
}

func (h history) createTable(ctx context.Context, q querier) error {
	_, err := q.Exec(ctx, `CREATE TABLE IF NOT EXISTS `+h.table+` (
	version      bigint PRIMARY KEY,
	name         text NOT NULL,
	kind         text NOT NULL,
	checksum     text NOT NULL DEFAULT '',
	applied_at   timestamptz NOT NULL DEFAULT now(),
	execution_ms bigint NOT NULL DEFAULT 0,
	dirty        boolean NOT NULL DEFAULT false
)`)
	if err != nil {
		return fmt.Errorf("migrate: create history table %s: %w", h.raw, err)
	}
	return nil
}

// exists reports whether the table is there (without creating it, for
// dry runs and Status).
func (h history) exists(ctx context.Context, q querier) (bool, error) {
	var ok bool
	if err := q.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", h.table).Scan(&ok); err != nil {
		return false, fmt.Errorf("migrate: look up history table %s: %w", h.raw, err)
	}
	return ok, nil
}

// rows reads the whole history ordered by version; a missing table reads
// as empty.
func (h history) rows(ctx context.Context, q querier) ([]historyRow, error) {
	ok, err := h.exists(ctx, q)
	if err != nil || !ok {
		return nil, err
	}
	return h.read(ctx, q)
}

// read reads the whole history ordered by version from a table known to
// exist.
func (h history) read(ctx context.Context, q querier) ([]historyRow, error) {
	rs, err := q.Query(ctx, `SELECT version, name, kind, checksum, applied_at, execution_ms, dirty FROM `+h.table+` ORDER BY version`)
	if err != nil {
		return nil, fmt.Errorf("migrate: read history table %s: %w", h.raw, err)
	}
	defer rs.Close()
	var out []historyRow
	for rs.Next() {
		var r historyRow
		var ms int64
		if err := rs.Scan(&r.Version, &r.Name, &r.Kind, &r.Checksum, &r.AppliedAt, &ms, &r.Dirty); err != nil {
			return nil, fmt.Errorf("migrate: read history table %s: %w", h.raw, err)
		}
		r.Duration = time.Duration(ms) * time.Millisecond
		out = append(out, r)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("migrate: read history table %s: %w", h.raw, err)
	}
	return out, nil
}

// row reads one version; found is false when it is not recorded.
func (h history) row(ctx context.Context, q querier, version int64) (r historyRow, found bool, err error) {
	var ms int64
	err = q.QueryRow(ctx, `SELECT version, name, kind, checksum, applied_at, execution_ms, dirty FROM `+h.table+` WHERE version = $1`, version).
		Scan(&r.Version, &r.Name, &r.Kind, &r.Checksum, &r.AppliedAt, &ms, &r.Dirty)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("migrate: read history of version %d: %w", version, err)
	}
	r.Duration = time.Duration(ms) * time.Millisecond
	return r, true, nil
}

// firstDirty returns the lowest dirty version (0 when none), read inside
// the migration lock so a migrator never runs past a version another one
// left dirty.
func (h history) firstDirty(ctx context.Context, q querier) (int64, error) {
	var v int64
	err := q.QueryRow(ctx, `SELECT coalesce(min(version), 0) FROM `+h.table+` WHERE dirty`).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("migrate: read history table %s: %w", h.raw, err)
	}
	return v, nil
}

// insert records a migration as applied (or, with dirty set, as started
// outside a transaction).
func (h history) insert(ctx context.Context, q querier, m *Migration, took time.Duration, dirty bool) error {
	_, err := q.Exec(ctx, `INSERT INTO `+h.table+` (version, name, kind, checksum, execution_ms, dirty) VALUES ($1, $2, $3, $4, $5, $6)`,
		m.Version, m.Name, string(m.Kind), m.Checksum, took.Milliseconds(), dirty)
	if err != nil {
		return fmt.Errorf("migrate: record version %d in %s: %w", m.Version, h.raw, err)
	}
	return nil
}

// markClean clears the dirty flag and stores the execution time.
func (h history) markClean(ctx context.Context, q querier, version int64, took time.Duration) error {
	_, err := q.Exec(ctx, `UPDATE `+h.table+` SET dirty = false, execution_ms = $2, applied_at = now() WHERE version = $1`, version, took.Milliseconds())
	if err != nil {
		return fmt.Errorf("migrate: mark version %d clean in %s: %w", version, h.raw, err)
	}
	return nil
}

// markDirty sets the dirty flag before a down runs outside a transaction.
func (h history) markDirty(ctx context.Context, q querier, version int64) error {
	_, err := q.Exec(ctx, `UPDATE `+h.table+` SET dirty = true WHERE version = $1`, version)
	if err != nil {
		return fmt.Errorf("migrate: mark version %d dirty in %s: %w", version, h.raw, err)
	}
	return nil
}

// delete removes a version's row (after its down ran).
func (h history) delete(ctx context.Context, q querier, version int64) error {
	_, err := q.Exec(ctx, `DELETE FROM `+h.table+` WHERE version = $1`, version)
	if err != nil {
		return fmt.Errorf("migrate: remove version %d from %s: %w", version, h.raw, err)
	}
	return nil
}

// setChecksum replaces a version's checksum, if it still holds old
// (checksum format upgrade).
func (h history) setChecksum(ctx context.Context, q querier, version int64, old, checksum string) error {
	_, err := q.Exec(ctx, `UPDATE `+h.table+` SET checksum = $3 WHERE version = $1 AND checksum = $2`, version, old, checksum)
	if err != nil {
		return fmt.Errorf("migrate: upgrade the checksum of version %d in %s: %w", version, h.raw, err)
	}
	return nil
}

// accept marks a version applied and clean with the current checksum
// (Baseline): inserts a missing row, clears dirty and refreshes a drifted
// checksum.
func (h history) accept(ctx context.Context, q querier, m *Migration) error {
	_, err := q.Exec(ctx, `INSERT INTO `+h.table+` (version, name, kind, checksum, dirty) VALUES ($1, $2, $3, $4, false)
ON CONFLICT (version) DO UPDATE SET dirty = false, checksum = EXCLUDED.checksum, name = EXCLUDED.name, kind = EXCLUDED.kind`,
		m.Version, m.Name, string(m.Kind), m.Checksum)
	if err != nil {
		return fmt.Errorf("migrate: baseline version %d in %s: %w", m.Version, h.raw, err)
	}
	return nil
}
