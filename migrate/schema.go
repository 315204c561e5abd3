package migrate

import (
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Schema is a set of tables: the desired state built from models, or the
// live state read from the catalog. Both sides are normalised the same
// way, so an unchanged model compares equal to what it created.
type Schema struct {
	// Tables sorted by schema, then name.
	Tables []*Table
}

// Table is one table.
type Table struct {
	Schema  string // never empty: "public" unless the model says otherwise
	Name    string
	Columns []*Column
	// PrimaryKey is nil for a table without one.
	PrimaryKey *Constraint
	// Constraints other than the primary key: unique, foreign key, check.
	Constraints []*Constraint
	// Indexes that do not belong to a constraint.
	Indexes []*Index
	Comment string

	// RenamedFrom is the table's previous name (desired side only).
	RenamedFrom string
	// HasRows reports whether the live table has data pages (catalog side
	// only): hazards that only matter for populated tables use it.
	HasRows bool

	// deparsedDefaults and deparsedKeys are set on a desired table whose
	// defaults, or checks and partial-index predicates, also carry the
	// server's form (see deparse): Diff then compares them exactly.
	deparsedDefaults, deparsedKeys bool
}

// Column is one column.
type Column struct {
	Name string
	// Type as format_type prints it ("bigint", "character varying(64)",
	// "timestamp with time zone", "text[]").
	Type    string
	NotNull bool
	// Default is the default expression, "" for none: as pg_get_expr
	// prints it on the catalog side, as the model's tag wrote it on the
	// desired side (see the guide for how the two are compared).
	Default string
	// Identity is "always", "by default" or "".
	Identity string
	// Generated is the expression of a stored generated column, or "".
	Generated string
	Collation string
	Comment   string

	// RenamedFrom is the column's previous name (desired side only).
	RenamedFrom string

	// origin names the model field ("model Account field Email"), for
	// errors; serverDefault is Default as pg_get_expr prints it, set by
	// deparse (desired side only).
	origin, serverDefault string
}

// ConstraintKind says what a Constraint is.
type ConstraintKind string

// Constraint kinds.
const (
	PrimaryKeyConstraint ConstraintKind = "primary key"
	UniqueConstraint     ConstraintKind = "unique"
	ForeignKeyConstraint ConstraintKind = "foreign key"
	CheckConstraint      ConstraintKind = "check"
)

// Constraint is a table constraint.
type Constraint struct {
	Name    string
	Kind    ConstraintKind
	Columns []string

	// Foreign keys.
	RefSchema  string
	RefTable   string
	RefColumns []string
	OnDelete   string // "NO ACTION" when unset
	OnUpdate   string
	Deferrable bool

	// Check is the check expression (pg_get_expr's form on the catalog
	// side).
	Check string
	// Valid is false for a NOT VALID constraint not yet validated.
	Valid bool

	// origin names where the constraint comes from, for errors;
	// serverCheck is Check as pg_get_expr prints it, set by deparse.
	origin, serverCheck string
}

// Index is an index that no constraint owns.
type Index struct {
	Name    string
	Unique  bool
	Method  string // "btree" unless set
	Columns []string
	// Where is the partial-index predicate, or "" (pg_get_expr's form on
	// the catalog side).
	Where string
	// Valid is false for an index left INVALID by a failed concurrent
	// build.
	Valid bool

	// origin names the model and fields of the index, for errors;
	// serverWhere is Where as pg_get_expr prints it, set by deparse.
	origin, serverWhere string
}

// QualifiedName returns "schema.table" unquoted.
func (t *Table) QualifiedName() string { return t.Schema + "." + t.Name }

// quoted returns the quoted, schema-qualified name.
func (t *Table) quoted() string { return pgx.Identifier{t.Schema, t.Name}.Sanitize() }

// Column returns the column called name, or nil.
func (t *Table) Column(name string) *Column {
	for _, c := range t.Columns {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Table returns the table schema.name, or nil.
func (s *Schema) Table(schema, name string) *Table {
	for _, t := range s.Tables {
		if t.Schema == schema && t.Name == name {
			return t
		}
	}
	return nil
}

func (s *Schema) sort() {
	sort.Slice(s.Tables, func(i, j int) bool { return s.Tables[i].QualifiedName() < s.Tables[j].QualifiedName() })
}

// key identifies a constraint by what it does, not by its name, so a
// renamed-but-equal constraint is not dropped and re-created.
func (c *Constraint) key() string {
	parts := []string{string(c.Kind), strings.Join(c.Columns, ",")}
	switch c.Kind {
	case ForeignKeyConstraint:
		parts = append(parts, c.RefSchema+"."+c.RefTable, strings.Join(c.RefColumns, ","), c.OnDelete, c.OnUpdate)
		if c.Deferrable {
			parts = append(parts, "deferrable")
		}
	case CheckConstraint:
		parts = append(parts, c.Check)
	}
	return strings.Join(parts, "|")
}

// key identifies an index by definition.
func (ix *Index) key() string {
	u := ""
	if ix.Unique {
		u = "unique"
	}
	return strings.Join([]string{u, ix.Method, strings.Join(ix.Columns, ","), ix.Where}, "|")
}

func ident(name string) string { return pgx.Identifier{name}.Sanitize() }

func identList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = ident(n)
	}
	return strings.Join(q, ", ")
}
