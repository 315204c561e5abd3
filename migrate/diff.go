package migrate

import (
	"fmt"
	"sort"
	"strings"
)

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
