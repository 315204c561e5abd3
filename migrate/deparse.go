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

// deparse returns a copy of desired in which the expressions the hand
// normaliser cannot settle also carry the form PostgreSQL stores and
// prints for them (pg_get_expr), so Diff compares those tables exactly
// with the catalog instead of through the normaliser.
//
// An expression is unsettled when the normaliser finds it different from
// the live one, or when there is no live one (a new table, column or
// index: the server then also checks it before anything is applied). The
// server's forms come from temporary tables created inside a savepoint
// (or transaction) of q that is always rolled back, read back with the
// same calls ReadCatalog uses, in the same session: same search_path, same
// TimeZone. Defaults need no other column, so those of every table that
// has only unsettled defaults share one temporary table; a table with an
// unsettled generated column, check or partial-index predicate gets its
// own, with all its columns, and is compared exactly throughout.
//
// A server that cannot create temporary tables (a read-only transaction,
// no TEMP privilege) leaves desired as it is: Diff then uses the hand
// normaliser. So does a table whose column types the server rejects: its
// create or alter step fails at Apply with its SQL. An expression the
// server rejects is an *ExprError.
func deparse(ctx context.Context, q planQuerier, current, desired *Schema) (*Schema, error) {
	out := &Schema{Tables: make([]*Table, len(desired.Tables))}
	var full, defaultsOnly []*Table
	for i, t := range desired.Tables {
		cp := copyTable(t)
		out.Tables[i] = cp
		switch defaults, keys := unsettled(current, cp); {
		case keys:
			full = append(full, cp)
		case defaults:
			defaultsOnly = append(defaultsOnly, cp)
		}
	}
	for len(full)+len(defaultsOnly) > 0 {
		rejected, err := scratch(ctx, q, full, defaultsOnly)
		switch {
		case errors.Is(err, errNoScratch):
			return desired, nil
		case err != nil:
			return nil, err
		case rejected != nil:
			full, defaultsOnly = without(full, rejected), without(defaultsOnly, rejected)
			continue
		}
		for _, t := range full {
			t.deparsedDefaults, t.deparsedKeys = true, true
		}
		for _, t := range defaultsOnly {
			t.deparsedDefaults = true
		}
		break
	}
	return out, nil
}

// unsettled reports whether the hand normaliser leaves any default of
// the model's table t undecided against the live schema, and any
// generated column, check or partial-index predicate.
func unsettled(current *Schema, t *Table) (defaults, keys bool) {
	have := current.Table(t.Schema, t.Name)
	if have == nil && t.RenamedFrom != "" {
		have = current.Table(t.Schema, t.RenamedFrom)
	}
	if have == nil {
		have = &Table{}
	}
	for _, c := range t.Columns {
		hc := have.Column(c.Name)
		if hc == nil && c.RenamedFrom != "" {
			hc = have.Column(c.RenamedFrom)
		}
		if c.Generated != "" && (hc == nil || hc.Generated == "") {
			keys = true
		}
		if c.Default != "" && c.Identity == "" && (hc == nil || normalizeExpr(hc.Default) != normalizeExpr(c.Default)) {
			defaults = true
		}
	}
	for _, ix := range t.Indexes {
		if ix.Where != "" && !hasIndex(have, t, ix) {
			keys = true
		}
	}
	for _, c := range t.Constraints {
		if c.Kind == CheckConstraint && !hasConstraint(have, t, c) {
			keys = true
		}
	}
	return defaults, keys
}

func hasIndex(have, want *Table, ix *Index) bool {
	for _, h := range have.Indexes {
		if liveIndexKey(want, h) == wantIndexKey(want, ix) {
			return true
		}
	}
	return false
}

func hasConstraint(have, want *Table, c *Constraint) bool {
	for _, h := range have.Constraints {
		if h.key() == wantConstraintKey(want, c) {
			return true
		}
	}
	return false
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

// defaultSlot is one column of a shared defaults table: the default of
// column col of a model's table.
type defaultSlot struct {
	table *Table
	col   *Column
}

// maxSlots bounds the columns of one shared defaults table (PostgreSQL
// allows 1600).
const maxSlots = 1000

func defaultSlots(tables []*Table) []defaultSlot {
	var slots []defaultSlot
	for _, t := range tables {
		for _, c := range t.Columns {
			if c.Default != "" && c.Generated == "" {
				slots = append(slots, defaultSlot{t, c})
			}
		}
	}
	return slots
}

// slotTables creates the shared defaults tables: norm_deparse_defaults_K
// with columns dJ, slot K*maxSlots+J.
func slotTables(slots []defaultSlot) []string {
	var stmts []string
	for k := 0; k*maxSlots < len(slots); k++ {
		var defs []string
		for j, s := range slots[k*maxSlots : min(len(slots), (k+1)*maxSlots)] {
			defs = append(defs, scratchColumn(&Column{Name: "d" + strconv.Itoa(j), Type: s.col.Type, Collation: s.col.Collation})+" DEFAULT "+defaultSQL(s.col.Default))
		}
		stmts = append(stmts, "CREATE TEMP TABLE "+ident(slotTableName(k))+" ("+strings.Join(defs, ", ")+")")
	}
	return stmts
}

func slotTableName(k int) string { return "norm_deparse_defaults_" + strconv.Itoa(k) }

// scratchName is the temporary table standing in for tables[i].
func scratchName(i int) string { return "norm_deparse_" + strconv.Itoa(i) }

// scratchDDL returns the statements that create tables[i]'s scratch copy
// one expression at a time, to find the one the server rejects: the table
// with its columns (bare: no default, no generation), then one statement
// per expression, each labeled with what it deparses.
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

// scratchCreate is tables[i]'s scratch copy in as few statements as
// possible, for the batch: the table with its defaults, generated columns
// and checks inline, then its partial indexes. Each statement costs the
// server catalog work, which dominates the deparse time.
func scratchCreate(i int, t *Table) []string {
	var defs []string
	for _, c := range t.Columns {
		s := scratchColumn(c)
		switch {
		case c.Generated != "":
			s += " GENERATED ALWAYS AS (" + c.Generated + ") STORED"
		case c.Default != "":
			s += " DEFAULT " + defaultSQL(c.Default)
		}
		defs = append(defs, s)
	}
	for j, c := range t.Constraints {
		if c.Kind == CheckConstraint {
			defs = append(defs, "CONSTRAINT "+ident(scratchName(i)+"_c"+strconv.Itoa(j))+" CHECK ("+c.Check+")")
		}
	}
	stmts := []string{"CREATE TEMP TABLE " + ident(scratchName(i)) + " (" + strings.Join(defs, ", ") + ")"}
	_, exprs := scratchDDL(i, t)
	for _, e := range exprs {
		if e.tag == "index_where" {
			stmts = append(stmts, e.sql)
		}
	}
	return stmts
}

// scratch creates the scratch tables (a table of its own for each of
// full, shared ones for the defaults of defaultsOnly) in one round trip
// inside a savepoint, reads every expression back in one query into the
// tables' server forms, and rolls back. When the batch fails, diagnose
// finds the expression to blame (an *ExprError), or the table whose
// column types the server rejects (returned as rejected, to be left out).
func scratch(ctx context.Context, q planQuerier, full, defaultsOnly []*Table) (rejected *Table, err error) {
	var batch []string
	for i, t := range full {
		batch = append(batch, scratchCreate(i, t)...)
	}
	slots := defaultSlots(defaultsOnly)
	batch = append(batch, slotTables(slots)...)
	tx, err := q.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: begin deparsing expressions: %w", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if _, err := tx.Exec(ctx, strings.Join(batch, ";\n")); err != nil {
		if rbErr := tx.Rollback(ctx); rbErr != nil {
			return nil, fmt.Errorf("migrate: deparse expressions: %w (rollback: %w)", err, rbErr)
		}
		return diagnose(ctx, q, append(append([]*Table(nil), full...), defaultsOnly...), err)
	}
	return nil, readForms(ctx, tx, full, slots)
}

// readForms reads the scratch tables' expressions into the server forms
// of full's tables and of the slots' columns. A default the server did
// not store (DEFAULT NULL) stays "".
func readForms(ctx context.Context, tx pgx.Tx, full []*Table, slots []defaultSlot) error {
	names := make([]string, 0, len(full)+len(slots)/maxSlots+1)
	for i := range full {
		names = append(names, "pg_temp."+scratchName(i))
	}
	for k := 0; k*maxSlots < len(slots); k++ {
		names = append(names, "pg_temp."+slotTableName(k))
	}
	// By OID, so the catalog indexes on adrelid, conrelid and indrelid
	// serve the lookups.
	//nolint:rowserrcheck // pgx.ForEachRow checks rows.Err
	rows, err := tx.Query(ctx, `
		WITH s AS (SELECT c.oid, c.relname::text AS relname FROM pg_class c WHERE c.oid = ANY($1::text[]::regclass[]))
		SELECT s.relname, 'd', a.attname::text, pg_get_expr(d.adbin, d.adrelid)
		FROM s JOIN pg_attrdef d ON d.adrelid = s.oid
		JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
		WHERE a.attgenerated = ''
		UNION ALL
		SELECT s.relname, 'c', k.conname::text, pg_get_expr(k.conbin, k.conrelid)
		FROM s JOIN pg_constraint k ON k.conrelid = s.oid
		WHERE k.contype = 'c'
		UNION ALL
		SELECT s.relname, 'i', ic.relname::text, pg_get_expr(i.indpred, i.indrelid, true)
		FROM s JOIN pg_index i ON i.indrelid = s.oid
		JOIN pg_class ic ON ic.oid = i.indexrelid
		WHERE i.indpred IS NOT NULL`, names)
	if err != nil {
		return fmt.Errorf("migrate: read deparsed expressions: %w", err)
	}
	byName := map[string]*Table{}
	for i, t := range full {
		byName[scratchName(i)] = t
	}
	var rel, kind, name, expr string
	_, err = pgx.ForEachRow(rows, []any{&rel, &kind, &name, &expr}, func() error {
		if k, ok := strings.CutPrefix(rel, "norm_deparse_defaults_"); ok {
			return readSlot(slots, k, name, expr)
		}
		t := byName[rel]
		if t == nil {
			return nil
		}
		if kind == "d" {
			if c := t.Column(name); c != nil {
				c.serverDefault = expr
			}
			return nil
		}
		j, err := strconv.Atoi(name[strings.LastIndexByte(name, '_')+2:])
		switch {
		case err != nil:
			return fmt.Errorf("scratch object %s: %w", name, err)
		case kind == "c" && j < len(t.Constraints):
			t.Constraints[j].serverCheck = expr
		case kind == "i" && j < len(t.Indexes):
			t.Indexes[j].serverWhere = expr
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("migrate: read deparsed expressions: %w", err)
	}
	return nil
}

// readSlot stores the default of column dJ of shared table K.
func readSlot(slots []defaultSlot, k, col, expr string) error {
	tk, err1 := strconv.Atoi(k)
	j, err2 := strconv.Atoi(strings.TrimPrefix(col, "d"))
	if err := errors.Join(err1, err2); err != nil {
		return fmt.Errorf("scratch column %s.%s: %w", k, col, err)
	}
	if n := tk*maxSlots + j; n < len(slots) {
		slots[n].col.serverDefault = expr
	}
	return nil
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
		switch {
		case noScratch(err):
			return false, errNoScratch
		case !rejects(err):
			return false, fmt.Errorf("migrate: deparse expressions of %s: %w", t.QualifiedName(), err)
		}
		return false, nil
	}
	for _, e := range exprs {
		if _, err := tx.Exec(ctx, e.sql); err != nil {
			if !rejects(err) {
				return true, fmt.Errorf("migrate: deparse expressions of %s: %w", t.QualifiedName(), err)
			}
			return true, &ExprError{Table: t.QualifiedName(), Source: e.source, Tag: e.tag, Expr: e.expr, Err: err}
		}
	}
	return true, nil
}

// rejects reports whether err is the server refusing a statement for
// what it says, not a failure of the connection, the transaction or the
// server (a lost connection, a cancel or timeout, a deadlock, no memory).
func rejects(err error) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || len(pgErr.Code) < 2 {
		return false
	}
	switch pgErr.Code[:2] {
	case "08", "25", "40", "53", "57", "58", "XX":
		return false
	}
	return true
}

// noScratch reports an error that says the session may not create
// temporary tables at all: a read-only transaction (a standby, or
// default_transaction_read_only) or no TEMP privilege on the database.
func noScratch(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "25006" || pgErr.Code == "42501" && strings.Contains(pgErr.Message, "temporary"))
}
