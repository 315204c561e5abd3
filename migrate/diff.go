package migrate

import (
	"fmt"
	"sort"
	"strings"
)

// PlanOptions changes how a plan is made.
type PlanOptions struct {
	// Online emits the multi-step forms that avoid long locks on
	// populated tables: CREATE INDEX CONCURRENTLY, constraints added NOT
	// VALID then validated, SET NOT NULL through a validated CHECK, unique
	// constraints attached to a concurrently built index. Default false.
	Online bool

	// DropTables names tables ("schema.table" or "table" for public) that
	// no model describes and that the plan may drop. Tables not described
	// by any model are otherwise never touched.
	DropTables []string

	// ServerVersion is server_version_num; Diff assumes 150000 when zero.
	ServerVersion int
}

// Diff computes the plan that turns current into desired. Only tables of
// desired (and those named in DropTables) are considered.
func Diff(current, desired *Schema, opts PlanOptions) *Plan {
	if opts.ServerVersion == 0 {
		opts.ServerVersion = 150000
	}
	d := &differ{opts: opts, current: current, claimed: map[string]bool{}}
	d.schemas(desired)
	for _, want := range desired.Tables {
		have := d.matchTable(want)
		if have == nil {
			d.createTable(want)
			continue
		}
		d.table(have, want)
	}
	d.dropTables(desired)
	sortSteps(d.steps)
	return &Plan{Steps: d.steps, ServerVersion: opts.ServerVersion, Online: opts.Online}
}

type differ struct {
	opts    PlanOptions
	current *Schema
	steps   []Step
	// claimed are live constraints and indexes that a multi-step online
	// change already created (a NOT NULL helper check, an index to
	// attach); they are reused, not dropped.
	claimed map[string]bool
}

func (d *differ) claim(table, name string) { d.claimed[table+"|"+name] = true }

func (d *differ) isClaimed(table, name string) bool { return d.claimed[table+"|"+name] }

func (d *differ) add(s Step) { d.steps = append(d.steps, s) }

func (d *differ) schemas(desired *Schema) {
	seen := map[string]bool{"public": true}
	for _, t := range d.current.Tables {
		seen[t.Schema] = true
	}
	for _, t := range desired.Tables {
		if !seen[t.Schema] {
			seen[t.Schema] = true
			d.add(Step{Kind: CreateSchema, Table: t.Schema, SQL: "CREATE SCHEMA IF NOT EXISTS " + ident(t.Schema), Transactional: true})
		}
	}
}

// matchTable finds want's live table, following a table rename.
func (d *differ) matchTable(want *Table) *Table {
	if have := d.current.Table(want.Schema, want.Name); have != nil {
		return have
	}
	if want.RenamedFrom == "" {
		return nil
	}
	old := d.current.Table(want.Schema, want.RenamedFrom)
	if old == nil {
		return nil
	}
	d.add(Step{Kind: RenameTable, Table: want.QualifiedName(), Transactional: true, Lock: "ACCESS EXCLUSIVE",
		SQL:     fmt.Sprintf("ALTER TABLE %s RENAME TO %s", old.quoted(), ident(want.Name)),
		Hazards: []Hazard{hazRename("table " + old.Name)}})
	renamed := *old
	renamed.Name = want.Name
	renamed.RenamedFrom = old.Name
	return &renamed
}

func (d *differ) dropTables(desired *Schema) {
	names := append([]string(nil), d.opts.DropTables...)
	sort.Strings(names)
	for _, n := range names {
		schema, name := splitQualified(n)
		if desired.Table(schema, name) != nil {
			continue
		}
		t := d.current.Table(schema, name)
		if t == nil || d.renamedAway(desired, t) {
			continue
		}
		d.add(Step{Kind: DropTable, Table: t.QualifiedName(), SQL: "DROP TABLE " + t.quoted(), Transactional: true, Lock: "ACCESS EXCLUSIVE",
			Hazards: []Hazard{{Code: "drop-table", Severity: Destructive, Reason: "drops the table and all its rows; applied only with Allow.DropTable"}}})
	}
}

func (d *differ) renamedAway(desired *Schema, t *Table) bool {
	for _, w := range desired.Tables {
		if w.Schema == t.Schema && w.RenamedFrom == t.Name {
			return true
		}
	}
	return false
}

func splitQualified(n string) (schema, name string) {
	if i := strings.IndexByte(n, '.'); i >= 0 {
		return n[:i], n[i+1:]
	}
	return "public", n
}

// createTable creates a table with its columns, primary key, unique and
// check constraints; foreign keys are added afterwards, so tables can be
// created in any order and reference each other in cycles.
func (d *differ) createTable(t *Table) {
	var defs []string
	for _, c := range t.Columns {
		defs = append(defs, columnDef(c))
	}
	if t.PrimaryKey != nil {
		defs = append(defs, "CONSTRAINT "+ident(t.PrimaryKey.Name)+" PRIMARY KEY ("+identList(t.PrimaryKey.Columns)+")")
	}
	for _, c := range t.Constraints {
		if c.Kind != ForeignKeyConstraint {
			defs = append(defs, "CONSTRAINT "+ident(c.Name)+" "+constraintBody(c))
		}
	}
	d.add(Step{Kind: CreateTable, Table: t.QualifiedName(), Transactional: true, Lock: "ACCESS EXCLUSIVE",
		SQL: "CREATE TABLE " + t.quoted() + " (\n    " + strings.Join(defs, ",\n    ") + "\n)"})
	for _, c := range t.Constraints {
		if c.Kind == ForeignKeyConstraint {
			d.add(Step{Kind: AddConstraint, Table: t.QualifiedName(), Transactional: true, Lock: "SHARE ROW EXCLUSIVE",
				SQL: fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s %s", t.quoted(), ident(c.Name), constraintBody(c))})
		}
	}
	for _, ix := range t.Indexes {
		d.add(Step{Kind: CreateIndex, Table: t.QualifiedName(), Transactional: true, Lock: "SHARE", SQL: indexSQL(t, ix, false)})
	}
	d.comments(nil, t)
}

func columnDef(c *Column) string {
	s := ident(c.Name) + " " + c.Type
	if c.Collation != "" {
		s += " COLLATE " + ident(c.Collation)
	}
	switch {
	case c.Identity == "always":
		s += " GENERATED ALWAYS AS IDENTITY"
	case c.Identity != "":
		s += " GENERATED BY DEFAULT AS IDENTITY"
	case c.Generated != "":
		s += " GENERATED ALWAYS AS (" + c.Generated + ") STORED"
	case c.Default != "":
		s += " DEFAULT " + defaultSQL(c.Default)
	}
	if c.NotNull {
		s += " NOT NULL"
	}
	return s
}

// defaultSQL parenthesises a default expression: CREATE TABLE and ADD
// COLUMN accept only a restricted expression after DEFAULT (b_expr in
// PostgreSQL's grammar: no AT TIME ZONE, IS NULL, BETWEEN, IN, LIKE, NOT,
// AND, OR), any expression in parentheses.
func defaultSQL(expr string) string { return "(" + expr + ")" }

func constraintBody(c *Constraint) string {
	switch c.Kind {
	case PrimaryKeyConstraint:
		return "PRIMARY KEY (" + identList(c.Columns) + ")"
	case UniqueConstraint:
		return "UNIQUE (" + identList(c.Columns) + ")"
	case CheckConstraint:
		return "CHECK (" + c.Check + ")"
	}
	s := fmt.Sprintf("FOREIGN KEY (%s) REFERENCES %s (%s)", identList(c.Columns), (&Table{Schema: c.RefSchema, Name: c.RefTable}).quoted(), identList(c.RefColumns))
	if c.OnDelete != "" && c.OnDelete != "NO ACTION" {
		s += " ON DELETE " + c.OnDelete
	}
	if c.OnUpdate != "" && c.OnUpdate != "NO ACTION" {
		s += " ON UPDATE " + c.OnUpdate
	}
	if c.Deferrable {
		s += " DEFERRABLE INITIALLY DEFERRED"
	}
	return s
}

func indexSQL(t *Table, ix *Index, concurrently bool) string {
	var b strings.Builder
	b.WriteString("CREATE ")
	if ix.Unique {
		b.WriteString("UNIQUE ")
	}
	b.WriteString("INDEX ")
	if concurrently {
		b.WriteString("CONCURRENTLY ")
	}
	b.WriteString(ident(ix.Name) + " ON " + t.quoted())
	if ix.Method != "" && ix.Method != "btree" {
		b.WriteString(" USING " + ix.Method)
	}
	b.WriteString(" (" + identList(ix.Columns) + ")")
	if ix.Where != "" {
		b.WriteString(" WHERE " + ix.Where)
	}
	return b.String()
}

// comments sets table and column comments that differ (have may be nil).
func (d *differ) comments(have, want *Table) {
	if have == nil && want.Comment != "" || have != nil && have.Comment != want.Comment {
		d.add(Step{Kind: Comment, Table: want.QualifiedName(), Transactional: true, Lock: "SHARE UPDATE EXCLUSIVE",
			SQL: "COMMENT ON TABLE " + want.quoted() + " IS " + commentLiteral(want.Comment)})
	}
	for _, c := range want.Columns {
		old := ""
		if have != nil {
			if hc := have.Column(c.Name); hc != nil {
				old = hc.Comment
			}
		}
		if c.Comment != old {
			d.add(Step{Kind: Comment, Table: want.QualifiedName(), Transactional: true, Lock: "SHARE UPDATE EXCLUSIVE",
				SQL: "COMMENT ON COLUMN " + want.quoted() + "." + ident(c.Name) + " IS " + commentLiteral(c.Comment)})
		}
	}
}

func commentLiteral(s string) string {
	if s == "" {
		return "NULL"
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
