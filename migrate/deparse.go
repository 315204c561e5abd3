package migrate

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// planQuerier is what planning needs: queries, and a transaction (a
// savepoint inside one) to deparse the models' expressions in and roll
// back: the dedicated connection of Plan and of Apply's steps outside a
// transaction (*pgx.Conn), or Apply's transaction (pgx.Tx).
type planQuerier interface {
	Querier
	Begin(ctx context.Context) (pgx.Tx, error)
}

// ExprError reports a model's SQL expression (a default, a generated
// column, a check, a partial-index predicate) that PostgreSQL rejects.
// Planning reports it before anything is applied.
type ExprError struct {
	// Table is the model's table, "schema.table".
	Table string
	// Source names the model and field (or index) the expression is from,
	// for example "model Account field CreatedAt".
	Source string
	// Tag is the tag key that holds the expression: "default",
	// "generated", "index_where" or "check".
	Tag  string
	Expr string
	// Err is the server's error (a *pgconn.PgError).
	Err error
}

func (e *ExprError) Error() string {
	return fmt.Sprintf("migrate: %s (table %s): %s:%s is rejected by the server: %v", e.Source, e.Table, e.Tag, e.Expr, e.Err)
}

func (e *ExprError) Unwrap() error { return e.Err }

// deparse returns a copy of desired in which every expression also carries
// the form PostgreSQL stores and prints for it (pg_get_expr), so Diff
// compares it exactly with the catalog's instead of through the hand
// normaliser. It creates each table that has an expression as a temporary
// table with the model's columns, defaults, generated columns, checks and
// partial indexes, inside a savepoint (or transaction) of q that is always
// rolled back, and reads the expressions back with the same calls
// ReadCatalog uses, in the same session: same search_path, same TimeZone.
//
// A server that cannot create temporary tables (a read-only transaction,
// no TEMP privilege) leaves desired as it is: Diff then falls back to the
// hand normaliser. An expression the server rejects is an *ExprError.
func deparse(ctx context.Context, q planQuerier, desired *Schema) (*Schema, error) {
	var tables []*Table
	for _, t := range desired.Tables {
		if hasExprs(t) {
			tables = append(tables, t)
		}
	}
	out := &Schema{Tables: make([]*Table, len(desired.Tables))}
	for i, t := range desired.Tables {
		out.Tables[i] = copyTable(t)
		out.Tables[i].deparsed = !hasExprs(t) // nothing to deparse: exact as it is
	}
	// A table whose column types the server rejects keeps the hand
	// normaliser: its CREATE or ALTER step fails at Apply, with its SQL.
	for len(tables) > 0 {
		forms, rejected, err := scratchForms(ctx, q, tables)
		switch {
		case errors.Is(err, errNoScratch):
			return desired, nil
		case err != nil:
			return nil, err
		case rejected != nil:
			tables = without(tables, rejected)
			continue
		}
		for _, t := range out.Tables {
			if f, ok := forms[t.QualifiedName()]; ok {
				applyForms(t, f)
				t.deparsed = true
			}
		}
		break
	}
	return out, nil
}

func without(tables []*Table, drop *Table) []*Table {
	out := make([]*Table, 0, len(tables))
	for _, t := range tables {
		if t != drop {
			out = append(out, t)
		}
	}
	return out
}

// errNoScratch: the session may not create temporary tables.
var errNoScratch = errors.New("migrate: cannot create temporary tables to deparse expressions")

func hasExprs(t *Table) bool {
	for _, c := range t.Columns {
		if c.Default != "" || c.Generated != "" {
			return true
		}
	}
	for _, c := range t.Constraints {
		if c.Kind == CheckConstraint {
			return true
		}
	}
	for _, ix := range t.Indexes {
		if ix.Where != "" {
			return true
		}
	}
	return false
}

func copyTable(t *Table) *Table {
	cp := *t
	cp.Columns = make([]*Column, len(t.Columns))
	for i, c := range t.Columns {
		cc := *c
		cp.Columns[i] = &cc
	}
	cp.Constraints = make([]*Constraint, len(t.Constraints))
	for i, c := range t.Constraints {
		cc := *c
		cp.Constraints[i] = &cc
	}
	cp.Indexes = make([]*Index, len(t.Indexes))
	for i, ix := range t.Indexes {
		cc := *ix
		cp.Indexes[i] = &cc
	}
	return &cp
}

// exprForms holds the server's forms of one table's expressions, by
// column, constraint position and index position. Generated columns are
// deparsed only to check them: Diff does not compare their expressions.
type exprForms struct {
	defaults   map[string]string
	checks     map[int]string
	predicates map[int]string
}

func applyForms(t *Table, f exprForms) {
	for _, c := range t.Columns {
		if c.Default != "" && c.Generated == "" {
			c.serverDefault = f.defaults[c.Name] // "" for DEFAULT NULL, which PostgreSQL does not store
		}
	}
	for i, c := range t.Constraints {
		c.serverCheck = f.checks[i]
	}
	for i, ix := range t.Indexes {
		ix.serverWhere = f.predicates[i]
	}
}

// scratchName is the temporary table standing in for tables[i].
func scratchName(i int) string { return "norm_deparse_" + strconv.Itoa(i) }

// scratchDDL returns the statements that create tables[i]'s scratch copy:
// the table with its columns (bare: no default, no generation), then one
// statement per expression, each labeled with what it deparses.
func scratchDDL(i int, t *Table) (bare string, exprs []scratchStmt) {
	name := ident(scratchName(i))
	var cols []string
	for _, c := range t.Columns {
		if c.Generated == "" {
			cols = append(cols, scratchColumn(c))
		}
	}
	bare = "CREATE TEMP TABLE " + name + " (" + strings.Join(cols, ", ") + ")"
	for _, c := range t.Columns {
		if c.Default != "" && c.Generated == "" {
			exprs = append(exprs, scratchStmt{source: c.origin, tag: "default", expr: c.Default,
				sql: "ALTER TABLE " + name + " ALTER COLUMN " + ident(c.Name) + " SET DEFAULT " + defaultSQL(c.Default)})
		}
	}
	for _, c := range t.Columns {
		if c.Generated != "" {
			exprs = append(exprs, scratchStmt{source: c.origin, tag: "generated", expr: c.Generated,
				sql: "ALTER TABLE " + name + " ADD COLUMN " + columnDef(&Column{Name: c.Name, Type: c.Type, Collation: c.Collation, Generated: c.Generated})})
		}
	}
	for j, c := range t.Constraints {
		if c.Kind == CheckConstraint {
			exprs = append(exprs, scratchStmt{source: sourceOr(c.origin, "constraint "+c.Name), tag: "check", expr: c.Check,
				sql: "ALTER TABLE " + name + " ADD CONSTRAINT " + ident(scratchName(i)+"_c"+strconv.Itoa(j)) + " CHECK (" + c.Check + ")"})
		}
	}
	for j, ix := range t.Indexes {
		if ix.Where != "" {
			scratch := *ix
			scratch.Name, scratch.Unique = scratchName(i)+"_i"+strconv.Itoa(j), false
			exprs = append(exprs, scratchStmt{source: sourceOr(ix.origin, "index "+ix.Name), tag: "index_where", expr: ix.Where,
				sql: indexSQL(&Table{Schema: "pg_temp", Name: scratchName(i)}, &scratch, false)})
		}
	}
	return bare, exprs
}

func scratchColumn(c *Column) string {
	s := ident(c.Name) + " " + c.Type
	if c.Collation != "" {
		s += " COLLATE " + ident(c.Collation)
	}
	return s
}

func sourceOr(origin, fallback string) string {
	if origin != "" {
		return origin
	}
	return fallback
}

type scratchStmt struct {
	source, tag, expr, sql string
}

// scratchForms creates the scratch tables in one round trip inside a
// savepoint, reads every expression back in one query, and rolls back.
// When the batch fails, diagnose finds the expression to blame (an
// *ExprError), or the table whose column types the server rejects
// (returned as rejected, to be left out).
func scratchForms(ctx context.Context, q planQuerier, tables []*Table) (forms map[string]exprForms, rejected *Table, err error) {
	var batch []string
	for i, t := range tables {
		bare, exprs := scratchDDL(i, t)
		batch = append(batch, bare)
		for _, e := range exprs {
			batch = append(batch, e.sql)
		}
	}
	tx, err := q.Begin(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("migrate: begin deparsing expressions: %w", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if _, err := tx.Exec(ctx, strings.Join(batch, ";\n")); err != nil {
		if rbErr := tx.Rollback(ctx); rbErr != nil {
			return nil, nil, fmt.Errorf("migrate: deparse expressions: %w (rollback: %w)", err, rbErr)
		}
		rejected, err := diagnose(ctx, q, tables, err)
		return nil, rejected, err
	}
	forms, err = readForms(ctx, tx, tables)
	return forms, nil, err
}

func readForms(ctx context.Context, tx pgx.Tx, tables []*Table) (map[string]exprForms, error) {
	//nolint:rowserrcheck // pgx.ForEachRow checks rows.Err
	rows, err := tx.Query(ctx, `
		SELECT c.relname::text, 'd', a.attname::text, pg_get_expr(d.adbin, d.adrelid)
		FROM pg_attrdef d
		JOIN pg_class c ON c.oid = d.adrelid
		JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
		WHERE c.relnamespace = pg_my_temp_schema() AND c.relname LIKE 'norm\_deparse\_%' AND a.attgenerated = ''
		UNION ALL
		SELECT c.relname::text, 'c', k.conname::text, pg_get_expr(k.conbin, k.conrelid)
		FROM pg_constraint k
		JOIN pg_class c ON c.oid = k.conrelid
		WHERE c.relnamespace = pg_my_temp_schema() AND c.relname LIKE 'norm\_deparse\_%' AND k.contype = 'c'
		UNION ALL
		SELECT c.relname::text, 'i', ic.relname::text, pg_get_expr(i.indpred, i.indrelid, true)
		FROM pg_index i
		JOIN pg_class c ON c.oid = i.indrelid
		JOIN pg_class ic ON ic.oid = i.indexrelid
		WHERE c.relnamespace = pg_my_temp_schema() AND c.relname LIKE 'norm\_deparse\_%' AND i.indpred IS NOT NULL`)
	if err != nil {
		return nil, fmt.Errorf("migrate: read deparsed expressions: %w", err)
	}
	byScratch := map[string]*exprForms{}
	for i := range tables {
		byScratch[scratchName(i)] = &exprForms{defaults: map[string]string{}, checks: map[int]string{}, predicates: map[int]string{}}
	}
	var rel, kind, name, expr string
	_, err = pgx.ForEachRow(rows, []any{&rel, &kind, &name, &expr}, func() error {
		f := byScratch[rel]
		if f == nil {
			return nil
		}
		switch kind {
		case "d":
			f.defaults[name] = expr
		case "c", "i":
			j, err := strconv.Atoi(name[strings.LastIndexByte(name, '_')+2:])
			if err != nil {
				return fmt.Errorf("scratch object %s: %w", name, err)
			}
			if kind == "c" {
				f.checks[j] = expr
			} else {
				f.predicates[j] = expr
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("migrate: read deparsed expressions: %w", err)
	}
	out := make(map[string]exprForms, len(tables))
	for i, t := range tables {
		out[t.QualifiedName()] = *byScratch[scratchName(i)]
	}
	return out, nil
}

// diagnose replays the scratch statements one by one, each table in its
// own savepoint, to name the expression the server rejected, or the first
// table whose column types it rejects. It is only called after the batch
// failed.
func diagnose(ctx context.Context, q planQuerier, tables []*Table, batchErr error) (*Table, error) {
	if noScratch(batchErr) {
		return nil, errNoScratch
	}
	for i, t := range tables {
		bare, exprs := scratchDDL(i, t)
		typesOK, err := diagnoseTable(ctx, q, t, bare, exprs)
		switch {
		case err != nil:
			return nil, err
		case !typesOK:
			return t, nil
		}
	}
	return nil, fmt.Errorf("migrate: deparse expressions: %w", batchErr)
}

func diagnoseTable(ctx context.Context, q planQuerier, t *Table, bare string, exprs []scratchStmt) (typesOK bool, err error) {
	tx, err := q.Begin(ctx)
	if err != nil {
		return false, fmt.Errorf("migrate: begin deparsing expressions: %w", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if _, err := tx.Exec(ctx, bare); err != nil {
		if noScratch(err) {
			return false, errNoScratch
		}
		return false, nil
	}
	for _, e := range exprs {
		if _, err := tx.Exec(ctx, e.sql); err != nil {
			return true, &ExprError{Table: t.QualifiedName(), Source: e.source, Tag: e.tag, Expr: e.expr, Err: err}
		}
	}
	return true, nil
}

// noScratch reports an error that says the session may not create
// temporary tables at all: a read-only transaction (a standby, or
// default_transaction_read_only) or no TEMP privilege on the database.
func noScratch(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "25006" || pgErr.Code == "42501" && strings.Contains(pgErr.Message, "temporary"))
}
