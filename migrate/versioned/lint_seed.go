package versioned

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
)

// seedTable is an empty table lint gives rows before a file runs.
type seedTable struct {
	oid     uint32
	name    string
	parents []uint32 // tables its foreign keys reference
}

// seedColumn is one column of a table to seed.
type seedColumn struct {
	name, typ, category, typName, ident, generated string
	notNull, hasDef                                bool
	fkTable, fkColumn                              string // a single-column foreign key
}

// seed inserts rows rows into every empty table of the user schemas
// (except the history table), parents before the tables that reference
// them, with values of each column's type. It returns the tables it
// could not seed, each with why.
func seed(ctx context.Context, q querier, rows int, history string) ([]string, error) {
	tables, err := emptyTables(ctx, q, history)
	if err != nil {
		return nil, err
	}
	done := map[uint32]bool{}
	pending := map[uint32]bool{}
	for _, t := range tables {
		pending[t.oid] = true
	}
	var notes []string
	for progress := true; progress; {
		progress = false
		for _, t := range tables {
			if !pending[t.oid] || !parentsReady(t, pending) {
				continue
			}
			delete(pending, t.oid)
			progress = true
			if why := seedOne(ctx, q, t, rows); why != "" {
				notes = append(notes, t.name+": "+why)
				continue
			}
			done[t.oid] = true
		}
	}
	for _, t := range tables {
		if pending[t.oid] {
			notes = append(notes, t.name+": its foreign keys reference tables that could not be seeded")
		}
	}
	sort.Strings(notes)
	return notes, nil
}

func parentsReady(t seedTable, pending map[uint32]bool) bool {
	for _, p := range t.parents {
		if p != t.oid && pending[p] {
			return false
		}
	}
	return true
}

func emptyTables(ctx context.Context, q querier, history string) ([]seedTable, error) {
	rows, err := q.Query(ctx, `SELECT c.oid, c.oid::regclass::text,
			coalesce((SELECT array_agg(DISTINCT f.confrelid) FROM pg_constraint f WHERE f.conrelid = c.oid AND f.contype = 'f'), '{}')
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.oid IS DISTINCT FROM to_regclass($1) AND `+userRels+`
		ORDER BY 2`, history)
	if err != nil {
		return nil, fmt.Errorf("migrate: lint: list tables to seed: %w", err)
	}
	tables, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (seedTable, error) {
		var t seedTable
		err := r.Scan(&t.oid, &t.name, &t.parents)
		return t, err
	})
	if err != nil {
		return nil, fmt.Errorf("migrate: lint: list tables to seed: %w", err)
	}
	var out []seedTable
	for _, t := range tables {
		var has bool
		if err := q.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM "+t.name+")").Scan(&has); err != nil {
			return nil, fmt.Errorf("migrate: lint: read %s: %w", t.name, err)
		}
		if !has {
			out = append(out, t)
		}
	}
	return out, nil
}

// seedOne inserts the rows into one table and returns why it could not,
// or "".
func seedOne(ctx context.Context, q querier, t seedTable, rows int) string {
	r, err := q.Query(ctx, `SELECT a.attname, format_type(a.atttypid, a.atttypmod), bt.typcategory::text, bt.typname,
			a.attidentity::text, a.attgenerated::text, a.attnotnull, a.atthasdef,
			coalesce(fk.confrelid::regclass::text, ''), coalesce(fa.attname, '')
		FROM pg_attribute a
		JOIN pg_type ty ON ty.oid = a.atttypid
		JOIN pg_type bt ON bt.oid = CASE WHEN ty.typtype = 'd' THEN ty.typbasetype ELSE ty.oid END
		LEFT JOIN LATERAL (SELECT f.confrelid, f.confkey[1] AS refnum FROM pg_constraint f
			WHERE f.conrelid = a.attrelid AND f.contype = 'f' AND f.conkey = ARRAY[a.attnum] LIMIT 1) fk ON true
		LEFT JOIN pg_attribute fa ON fa.attrelid = fk.confrelid AND fa.attnum = fk.refnum
		WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`, t.oid)
	if err != nil {
		return err.Error()
	}
	cols, err := pgx.CollectRows(r, func(row pgx.CollectableRow) (seedColumn, error) {
		var c seedColumn
		err := row.Scan(&c.name, &c.typ, &c.category, &c.typName, &c.ident, &c.generated, &c.notNull, &c.hasDef, &c.fkTable, &c.fkColumn)
		return c, err
	})
	if err != nil {
		return err.Error()
	}
	var names, values []string
	for _, c := range cols {
		if c.ident != "" || c.generated != "" || c.hasDef && c.fkTable == "" {
			continue // the table's default or generation fills it
		}
		v := seedValue(c)
		if v == "" {
			if c.notNull {
				return fmt.Sprintf("no value can be made for NOT NULL column %s of type %s", c.name, c.typ)
			}
			continue
		}
		names = append(names, pgx.Identifier{c.name}.Sanitize())
		values = append(values, v)
	}
	sql := fmt.Sprintf("INSERT INTO %s SELECT FROM generate_series(1, %d) AS g(i)", t.name, rows)
	if len(names) > 0 {
		sql = fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM generate_series(1, %d) AS g(i)", t.name, strings.Join(names, ", "), strings.Join(values, ", "), rows)
	}
	if _, err := q.Exec(ctx, sql); err != nil {
		return "inserting rows failed: " + err.Error()
	}
	return ""
}

// seedValue is an SQL expression of row number g.i giving a value of the
// column's type, distinct per row where the type allows; "" when lint
// cannot make one.
func seedValue(c seedColumn) string {
	if c.fkTable != "" {
		return fmt.Sprintf("(SELECT %s FROM %s ORDER BY 1 LIMIT 1 OFFSET g.i - 1)", pgx.Identifier{c.fkColumn}.Sanitize(), c.fkTable)
	}
	cast := func(expr string) string { return "(" + expr + ")::" + c.typ }
	switch c.typName {
	case "uuid":
		return cast("md5(g.i::text)")
	case "json", "jsonb":
		return cast("json_build_object('n', g.i)::text")
	case "bytea":
		return cast("'\\x0' || g.i::text")
	case "money":
		return cast("g.i")
	}
	switch c.category {
	case "N":
		return cast("g.i")
	case "S":
		return cast("g.i::text")
	case "B":
		return cast("g.i % 2 = 0")
	case "D":
		return cast("timestamptz '2024-01-01' + g.i * interval '1 day'")
	case "T":
		return cast("g.i * interval '1 minute'")
	case "E":
		return cast("(enum_range(NULL::" + c.typ + "))[1]")
	case "A":
		return cast("'{}'")
	case "I":
		return cast("'10.0.0.' || g.i::text")
	}
	return ""
}
