package versioned

import (
	"context"
	"fmt"
)

// userRels restricts pg_class (alias c, joined to pg_namespace n) to the
// relations of user schemas.
const userRels = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'`

// relation is a table, materialized view or index as the catalog shows it.
type relation struct {
	name     string // regclass text
	kind     string // relkind
	filenode uint32
	table    uint32 // the indexed table, for an index
}

type colKey struct {
	rel uint32
	num int16
}

type column struct {
	name    string
	typ     string
	notNull bool
	dropped bool
	hasDef  bool
}

type constraint struct {
	rel       uint32
	name      string
	kind      string // contype
	validated bool
	ref       uint32 // confrelid
}

type lockKey struct {
	rel  uint32
	mode string
}

// snapshot is the part of the catalog lint compares around a statement,
// and the locks and sequential scans of the lint connection's
// transaction.
type snapshot struct {
	rels  map[uint32]relation
	cols  map[colKey]column
	cons  map[uint32]constraint
	locks map[lockKey]bool
	scans map[uint32]int64
}

// takeSnapshot reads the snapshot; withTx adds the locks and the scans of
// the open transaction.
func takeSnapshot(ctx context.Context, q querier, withTx bool) (*snapshot, error) {
	s := &snapshot{rels: map[uint32]relation{}, cols: map[colKey]column{}, cons: map[uint32]constraint{},
		locks: map[lockKey]bool{}, scans: map[uint32]int64{}}
	read := func(what, sql string, scan func(func(...any) error) error) error {
		rows, err := q.Query(ctx, sql)
		if err != nil {
			return fmt.Errorf("migrate: lint: read %s: %w", what, err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows.Scan); err != nil {
				return fmt.Errorf("migrate: lint: read %s: %w", what, err)
			}
		}
		return rows.Err()
	}
	err := read("relations", `SELECT c.oid, c.oid::regclass::text, c.relkind::text, c.relfilenode, coalesce(i.indrelid, 0)
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_index i ON i.indexrelid = c.oid
		WHERE c.relkind IN ('r', 'p', 'm', 'i', 'I') AND `+userRels, func(scan func(...any) error) error {
		var oid uint32
		var r relation
		if err := scan(&oid, &r.name, &r.kind, &r.filenode, &r.table); err != nil {
			return err
		}
		s.rels[oid] = r
		return nil
	})
	if err == nil {
		err = read("columns", `SELECT a.attrelid, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attisdropped, a.atthasdef
			FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE a.attnum > 0 AND c.relkind IN ('r', 'p', 'm') AND `+userRels, func(scan func(...any) error) error {
			var k colKey
			var c column
			if err := scan(&k.rel, &k.num, &c.name, &c.typ, &c.notNull, &c.dropped, &c.hasDef); err != nil {
				return err
			}
			s.cols[k] = c
			return nil
		})
	}
	if err == nil {
		err = read("constraints", `SELECT o.oid, o.conrelid, o.conname, o.contype::text, o.convalidated, o.confrelid
			FROM pg_constraint o JOIN pg_class c ON c.oid = o.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE `+userRels, func(scan func(...any) error) error {
			var oid uint32
			var c constraint
			if err := scan(&oid, &c.rel, &c.name, &c.kind, &c.validated, &c.ref); err != nil {
				return err
			}
			s.cons[oid] = c
			return nil
		})
	}
	if err != nil || !withTx {
		return s, err
	}
	err = read("locks", `SELECT l.relation, l.mode FROM pg_locks l
		JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted
		AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
		AND c.relkind IN ('r', 'p', 'm') AND `+userRels, func(scan func(...any) error) error {
		var k lockKey
		if err := scan(&k.rel, &k.mode); err != nil {
			return err
		}
		s.locks[k] = true
		return nil
	})
	if err == nil {
		err = read("scans", `SELECT relid, coalesce(seq_scan, 0) FROM pg_stat_xact_user_tables`, func(scan func(...any) error) error {
			var rel uint32
			var n int64
			if err := scan(&rel, &n); err != nil {
				return err
			}
			s.scans[rel] = n
			return nil
		})
	}
	return s, err
}

// lockNames are pg_locks modes as the docs name them.
var lockNames = map[string]string{
	"AccessShareLock": "ACCESS SHARE", "RowShareLock": "ROW SHARE", "RowExclusiveLock": "ROW EXCLUSIVE",
	"ShareUpdateExclusiveLock": "SHARE UPDATE EXCLUSIVE", "ShareLock": "SHARE", "ShareRowExclusiveLock": "SHARE ROW EXCLUSIVE",
	"ExclusiveLock": "EXCLUSIVE", "AccessExclusiveLock": "ACCESS EXCLUSIVE",
}
