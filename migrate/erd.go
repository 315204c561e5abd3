package migrate

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// ERD renders s as a Mermaid entity-relationship diagram (`erDiagram`),
// which GitHub, GitLab and Mermaid-enabled documentation sites draw as a
// picture: one entity per table with its columns and their types, the
// markers PK (primary key), FK (in a foreign key) and UK (in a unique
// constraint or unique index), and one relationship per foreign key,
// from the referenced table to the referencing one, labeled with the
// referencing columns. A foreign key whose columns are all NOT NULL is
// drawn "exactly one" on the referenced side ("zero or one" otherwise);
// one whose columns are unique is "zero or one" on the referencing side
// ("zero or more" otherwise).
//
// Mermaid accepts only plain words as types and attribute names, so a
// type or column name that is not one is written with its other
// characters replaced by '_' — types first shortened to the usual
// PostgreSQL aliases (timestamptz, varchar(n), …) — and the exact text is
// kept as the attribute's comment. Tables of the public schema are named
// by their table name, others by "schema.table". The output is
// deterministic: tables in Schema order, columns in table order,
// relationships by referencing table and constraint name. s may come from
// FromModels or ReadCatalog; nil or empty gives a diagram without
// entities.
func ERD(s *Schema) string {
	var b strings.Builder
	b.WriteString("erDiagram\n")
	if s == nil {
		return b.String()
	}
	for _, t := range s.Tables {
		writeEntity(&b, t)
	}
	var rels []string
	for _, t := range s.Tables {
		fks := make([]*Constraint, 0, len(t.Constraints))
		for _, c := range t.Constraints {
			if c.Kind == ForeignKeyConstraint {
				fks = append(fks, c)
			}
		}
		sort.SliceStable(fks, func(i, j int) bool { return fks[i].Name < fks[j].Name })
		for _, c := range fks {
			rels = append(rels, relationship(t, c))
		}
	}
	for _, r := range rels {
		b.WriteString(r)
	}
	return b.String()
}

func writeEntity(b *strings.Builder, t *Table) {
	fmt.Fprintf(b, "    %s {\n", entityName(t.Schema, t.Name))
	for _, c := range t.Columns {
		typ, typExact := mermaidWord(shortType(c.Type))
		name, nameExact := mermaidWord(c.Name)
		fmt.Fprintf(b, "        %s %s", typ, name)
		if keys := columnKeys(t, c.Name); len(keys) > 0 {
			b.WriteString(" " + strings.Join(keys, ", "))
		}
		var notes []string
		if !nameExact {
			notes = append(notes, "column "+c.Name)
		}
		if !typExact {
			notes = append(notes, c.Type)
		}
		if len(notes) > 0 {
			fmt.Fprintf(b, " %q", strings.ReplaceAll(strings.Join(notes, ": "), `"`, "'"))
		}
		b.WriteString("\n")
	}
	b.WriteString("    }\n")
}

// columnKeys lists the key markers of column col of t.
func columnKeys(t *Table, col string) []string {
	var keys []string
	if t.PrimaryKey != nil && contains(t.PrimaryKey.Columns, col) {
		keys = append(keys, "PK")
	}
	fk, uk := false, false
	for _, c := range t.Constraints {
		switch {
		case c.Kind == ForeignKeyConstraint && contains(c.Columns, col):
			fk = true
		case c.Kind == UniqueConstraint && contains(c.Columns, col):
			uk = true
		}
	}
	for _, ix := range t.Indexes {
		uk = uk || ix.Unique && contains(ix.Columns, col)
	}
	if fk {
		keys = append(keys, "FK")
	}
	if uk {
		keys = append(keys, "UK")
	}
	return keys
}

// relationship is the Mermaid line of foreign key c of child t.
func relationship(t *Table, c *Constraint) string {
	parentSide := "||"
	for _, col := range c.Columns {
		if cc := t.Column(col); cc == nil || !cc.NotNull {
			parentSide = "|o"
		}
	}
	childSide := "o{"
	if uniqueOn(t, c.Columns) {
		childSide = "o|"
	}
	label := strings.ReplaceAll(strings.Join(c.Columns, ", "), `"`, "'")
	return fmt.Sprintf("    %s %s--%s %s : %q\n", entityName(c.RefSchema, c.RefTable), parentSide, childSide, entityName(t.Schema, t.Name), label)
}

// uniqueOn reports whether t has a primary key, unique constraint or
// unique index on exactly cols (in any order).
func uniqueOn(t *Table, cols []string) bool {
	same := func(a []string) bool {
		if len(a) != len(cols) {
			return false
		}
		for _, c := range cols {
			if !contains(a, c) {
				return false
			}
		}
		return true
	}
	if t.PrimaryKey != nil && same(t.PrimaryKey.Columns) {
		return true
	}
	for _, c := range t.Constraints {
		if c.Kind == UniqueConstraint && same(c.Columns) {
			return true
		}
	}
	for _, ix := range t.Indexes {
		if ix.Unique && ix.Where == "" && same(ix.Columns) {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

var plainEntity = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// entityName is the Mermaid name of a table: the bare name in public
// when it is a plain word, else "schema.table" in double quotes (a double
// quote inside becomes a single one: Mermaid has no escape).
func entityName(schema, name string) string {
	if schema == "public" && plainEntity.MatchString(name) {
		return name
	}
	full := name
	if schema != "public" {
		full = schema + "." + name
	}
	return `"` + strings.ReplaceAll(full, `"`, "'") + `"`
}

// erdTypeAliases shortens format_type's spellings to the aliases PostgreSQL
// also accepts, most of which are single words.
var erdTypeAliases = []struct{ long, short string }{
	{"timestamp with time zone", "timestamptz"},
	{"timestamp without time zone", "timestamp"},
	{"time with time zone", "timetz"},
	{"time without time zone", "time"},
	{"character varying", "varchar"},
	{"bit varying", "varbit"},
	{"double precision", "float8"},
	{"character", "char"},
}

func shortType(t string) string {
	for _, a := range erdTypeAliases {
		if strings.HasPrefix(t, a.long) {
			return a.short + t[len(a.long):]
		}
	}
	return t
}

// mermaidWord makes s a Mermaid attribute word ([A-Za-z_*][A-Za-z0-9_()[\]-]*):
// other characters become '_' and a leading digit gets a '_' before it.
// exact reports whether s was one already.
func mermaidWord(s string) (word string, exact bool) {
	var b strings.Builder
	for i, r := range s {
		ok := r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z'
		if i > 0 {
			ok = ok || r >= '0' && r <= '9' || strings.ContainsRune("()[]-", r)
		}
		if !ok && i == 0 && r >= '0' && r <= '9' {
			b.WriteString("_")
			b.WriteRune(r)
			continue
		}
		if !ok {
			b.WriteByte('_')
			continue
		}
		b.WriteRune(r)
	}
	if b.Len() == 0 {
		return "_", false
	}
	return b.String(), b.String() == s
}
