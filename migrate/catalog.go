package migrate

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// ReadCatalog reads the live definition of every table in the given
// schemas (default: the schemas the desired side uses, or "public") from
// pg_catalog in four queries, however many tables there are: tables,
// columns, constraints, and indexes that no constraint owns.
func ReadCatalog(ctx context.Context, q Querier, schemas ...string) (*Schema, error) {
	if len(schemas) == 0 {
		schemas = []string{"public"}
	}
	s := &Schema{}
	byOID, err := readTables(ctx, q, schemas, s)
	if err != nil {
		return nil, err
	}
	if len(byOID) == 0 {
		return s, nil
	}
	oids := make([]uint32, 0, len(byOID))
	for oid := range byOID {
		oids = append(oids, oid)
	}
	for _, read := range []func(context.Context, Querier, []uint32, map[uint32]*Table) error{readColumns, readConstraints, readIndexes} {
		if err := read(ctx, q, oids, byOID); err != nil {
			return nil, err
		}
	}
	s.sort()
	return s, nil
}

func readTables(ctx context.Context, q Querier, schemas []string, s *Schema) (map[uint32]*Table, error) {
	//nolint:rowserrcheck // pgx.ForEachRow checks rows.Err
	rows, err := q.Query(ctx, `
		SELECT c.oid, n.nspname, c.relname, coalesce(obj_description(c.oid, 'pg_class'), ''), pg_relation_size(c.oid) > 0
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY($1)`, schemas)
	if err != nil {
		return nil, fmt.Errorf("migrate: read tables: %w", err)
	}
	byOID := map[uint32]*Table{}
	var oid uint32
	t := &Table{}
	_, err = pgx.ForEachRow(rows, []any{&oid, &t.Schema, &t.Name, &t.Comment, &t.HasRows}, func() error {
		cp := *t
		byOID[oid] = &cp
		s.Tables = append(s.Tables, &cp)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("migrate: read tables: %w", err)
	}
	return byOID, nil
}

func readColumns(ctx context.Context, q Querier, oids []uint32, byOID map[uint32]*Table) error {
	//nolint:rowserrcheck // pgx.ForEachRow checks rows.Err
	rows, err := q.Query(ctx, `
		SELECT a.attrelid, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
		       coalesce(pg_get_expr(d.adbin, d.adrelid), ''), a.attidentity::text, a.attgenerated::text,
		       CASE WHEN a.attcollation <> t.typcollation THEN coalesce(co.collname, '') ELSE '' END,
		       coalesce(col_description(a.attrelid, a.attnum), '')
		FROM pg_attribute a
		JOIN pg_type t ON t.oid = a.atttypid
		LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
		LEFT JOIN pg_collation co ON co.oid = a.attcollation
		WHERE a.attrelid = ANY($1) AND a.attnum > 0 AND NOT a.attisdropped
		ORDER BY a.attrelid, a.attnum`, oids)
	if err != nil {
		return fmt.Errorf("migrate: read columns: %w", err)
	}
	var oid uint32
	var identity, generated string
	c := &Column{}
	_, err = pgx.ForEachRow(rows, []any{&oid, &c.Name, &c.Type, &c.NotNull, &c.Default, &identity, &generated, &c.Collation, &c.Comment}, func() error {
		cp := *c
		cp.Identity = map[string]string{"a": "always", "d": "by default"}[identity]
		if generated == "s" {
			cp.Generated, cp.Default = cp.Default, ""
		}
		byOID[oid].Columns = append(byOID[oid].Columns, &cp)
		return nil
	})
	if err != nil {
		return fmt.Errorf("migrate: read columns: %w", err)
	}
	return nil
}

var fkActions = map[string]string{"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}

func readConstraints(ctx context.Context, q Querier, oids []uint32, byOID map[uint32]*Table) error {
	//nolint:rowserrcheck // pgx.ForEachRow checks rows.Err
	rows, err := q.Query(ctx, `
		SELECT c.conrelid, c.conname, c.contype::text,
		       ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, o)
		             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.o),
		       coalesce(rn.nspname, ''), coalesce(r.relname, ''),
		       ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, o)
		             JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.o),
		       c.confdeltype::text, c.confupdtype::text, c.condeferrable, c.convalidated,
		       coalesce(pg_get_expr(c.conbin, c.conrelid), '')
		FROM pg_constraint c
		LEFT JOIN pg_class r ON r.oid = c.confrelid
		LEFT JOIN pg_namespace rn ON rn.oid = r.relnamespace
		WHERE c.conrelid = ANY($1) AND c.contype IN ('p', 'u', 'f', 'c')
		ORDER BY c.conrelid, c.conname`, oids)
	if err != nil {
		return fmt.Errorf("migrate: read constraints: %w", err)
	}
	var oid uint32
	var kind, onDel, onUpd string
	c := &Constraint{}
	_, err = pgx.ForEachRow(rows, []any{&oid, &c.Name, &kind, &c.Columns, &c.RefSchema, &c.RefTable, &c.RefColumns, &onDel, &onUpd, &c.Deferrable, &c.Valid, &c.Check}, func() error {
		cp := *c
		t := byOID[oid]
		switch kind {
		case "p":
			cp.Kind = PrimaryKeyConstraint
			t.PrimaryKey = &cp
			return nil
		case "u":
			cp.Kind = UniqueConstraint
		case "f":
			cp.Kind, cp.OnDelete, cp.OnUpdate = ForeignKeyConstraint, fkActions[onDel], fkActions[onUpd]
		case "c":
			cp.Kind = CheckConstraint
		}
		t.Constraints = append(t.Constraints, &cp)
		return nil
	})
	if err != nil {
		return fmt.Errorf("migrate: read constraints: %w", err)
	}
	return nil
}

func readIndexes(ctx context.Context, q Querier, oids []uint32, byOID map[uint32]*Table) error {
	//nolint:rowserrcheck // pgx.ForEachRow checks rows.Err
	rows, err := q.Query(ctx, `
		SELECT i.indrelid, ic.relname, i.indisunique, am.amname,
		       ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true) FROM generate_series(1, i.indnkeyatts) k ORDER BY k),
		       coalesce(pg_get_expr(i.indpred, i.indrelid, true), ''), i.indisvalid
		FROM pg_index i
		JOIN pg_class ic ON ic.oid = i.indexrelid
		JOIN pg_am am ON am.oid = ic.relam
		WHERE i.indrelid = ANY($1)
		  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)
		ORDER BY i.indrelid, ic.relname`, oids)
	if err != nil {
		return fmt.Errorf("migrate: read indexes: %w", err)
	}
	var oid uint32
	ix := &Index{}
	_, err = pgx.ForEachRow(rows, []any{&oid, &ix.Name, &ix.Unique, &ix.Method, &ix.Columns, &ix.Where, &ix.Valid}, func() error {
		cp := *ix
		cp.Columns = unquoteAll(cp.Columns)
		byOID[oid].Indexes = append(byOID[oid].Indexes, &cp)
		return nil
	})
	if err != nil {
		return fmt.Errorf("migrate: read indexes: %w", err)
	}
	return nil
}

// unquoteAll turns quoted column names as pg_get_indexdef prints them
// ("Order") back into names; expressions stay as they are.
func unquoteAll(cols []string) []string {
	for i, c := range cols {
		if len(c) < 2 || c[0] != '"' || c[len(c)-1] != '"' {
			continue
		}
		inner := c[1 : len(c)-1]
		if !strings.Contains(strings.ReplaceAll(inner, `""`, ""), `"`) {
			cols[i] = strings.ReplaceAll(inner, `""`, `"`)
		}
	}
	return cols
}
