package versioned

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// MigrationKind says where a migration comes from.
type MigrationKind string

// Migration kinds, as stored in the history table's kind column.
const (
	KindSQL MigrationKind = "sql" // a pair of NNNN_name.up.sql / .down.sql files
	KindGo  MigrationKind = "go"  // functions added with Migrator.AddGo
)

// GoFunc is the body of a Go migration. It runs inside the migration's
// transaction, which already holds the migration lock and has lock_timeout
// and statement_timeout set; the history row is written in the same
// transaction after it returns nil.
type GoFunc func(ctx context.Context, tx pgx.Tx) error

// Migration is one versioned migration: a SQL file pair or a Go
// migration. File and Go migrations share one version space.
type Migration struct {
	Version int64
	Name    string
	Kind    MigrationKind
	// UpFile and DownFile are the file names of a SQL migration; DownFile
	// is empty when the version has no down file.
	UpFile, DownFile string
	// Checksum identifies the content of a SQL migration: "v2:" followed
	// by the hex SHA-256 of its up file and its down file (or the absence
	// of one), as read, so the no-transaction directive is covered too;
	// empty for Go migrations. It is recorded when the version is applied;
	// an applied migration whose files no longer match is drift. A value
	// recorded by older releases (the bare hex SHA-256 of the up file)
	// still matches an unchanged up file and is rewritten in the v2 format
	// by the next Up, UpTo or Baseline.
	Checksum string

	legacyChecksum string // the pre-v2 checksum: hex SHA-256 of the up file
	up, down       *script
	goUp, goDown   GoFunc
}

// Source names the migration for messages: its up file or "go migration
// NNNN_name".
func (m *Migration) Source() string {
	if m.Kind == KindSQL {
		return m.UpFile
	}
	return fmt.Sprintf("go migration %d_%s", m.Version, m.Name)
}

// HasDown reports whether the migration can be rolled back.
func (m *Migration) HasDown() bool { return m.down != nil || m.goDown != nil }

// NoTransaction reports whether the up file carries the
// "-- norm:no-transaction" directive.
func (m *Migration) NoTransaction() bool { return m.up != nil && m.up.NoTransaction }

// Warnings lists hazards of the up file that the runner mitigates but a
// reviewer should know about: DDL on existing tables with no SET
// lock_timeout in the file (the runner sets its own, see
// MigratorOptions.LockTimeout).
func (m *Migration) Warnings(opts MigratorOptions) []string {
	if m.up == nil {
		return nil
	}
	var ddl, hasTimeout bool
	for _, st := range m.up.Statements {
		code := st.code()
		if setsLockTimeout(code) {
			hasTimeout = true
		}
		if touchesExisting(code) {
			ddl = true
		}
	}
	if !ddl || hasTimeout {
		return nil
	}
	lt := opts.withDefaults().LockTimeout
	setting := "none"
	if lt > 0 {
		setting = lt.String()
	}
	return []string{fmt.Sprintf("%s: DDL on an existing table without SET lock_timeout; the runner sets lock_timeout=%s", m.UpFile, setting)}
}

// setsLockTimeout reports SET [LOCAL|SESSION] lock_timeout … and
// set_config('lock_timeout', …).
func setsLockTimeout(code []token) bool {
	for i, tk := range code {
		if isWord(tk, "lock_timeout") && i > 0 && (isWord(code[i-1], "SET") || isWord(code[i-1], "LOCAL") || isWord(code[i-1], "SESSION")) {
			return true
		}
		if tk.kind == tokString && strings.EqualFold(tk.text, "'lock_timeout'") {
			return true
		}
	}
	return false
}

// touchesExisting reports statements that lock a table that may
// already hold data: ALTER TABLE, CREATE INDEX without CONCURRENTLY, DROP
// TABLE/INDEX, TRUNCATE.
func touchesExisting(code []token) bool {
	w := func(i int) string {
		if i < len(code) && code[i].kind == tokWord {
			return strings.ToUpper(code[i].text)
		}
		return ""
	}
	switch w(0) {
	case "ALTER":
		return w(1) == "TABLE"
	case "TRUNCATE":
		return true
	case "DROP":
		return w(1) == "TABLE" || w(1) == "INDEX" && w(2) != "CONCURRENTLY"
	case "CREATE":
		i := 1
		if w(i) == "UNIQUE" {
			i++
		}
		return w(i) == "INDEX" && w(i+1) != "CONCURRENTLY"
	}
	return false
}

// AddGo registers a Go migration on this migrator. up is required; down
// may be nil (Down of that version is then an error naming it). The
// version must be positive and must not be used by a SQL file or another
// Go migration; name is for people (history and status).
func (mg *Migrator) AddGo(version int64, name string, up, down GoFunc) error {
	switch {
	case version <= 0:
		return fmt.Errorf("migrate: go migration %q: version %d must be positive", name, version)
	case name == "":
		return fmt.Errorf("migrate: go migration %d: name is empty", version)
	case up == nil:
		return fmt.Errorf("migrate: go migration %d_%s: up function is nil", version, name)
	}
	for _, m := range mg.migrations {
		if m.Version == version {
			return fmt.Errorf("migrate: go migration %d_%s: version %d is already used by %s", version, name, version, m.Source())
		}
	}
	m := &Migration{Version: version, Name: name, Kind: KindGo, goUp: up, goDown: down}
	mg.migrations = insertSorted(mg.migrations, m)
	return nil
}

func insertSorted(ms []*Migration, m *Migration) []*Migration {
	i := 0
	for i < len(ms) && ms[i].Version < m.Version {
		i++
	}
	ms = append(ms, nil)
	copy(ms[i+1:], ms[i:])
	ms[i] = m
	return ms
}
