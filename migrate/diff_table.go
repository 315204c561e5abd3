package migrate

import (
	"fmt"
	"strings"
)

// table diffs an existing table against its model.
func (d *differ) table(have, want *Table) {
	handled := map[string]bool{}
	for _, c := range want.Columns {
		hc := have.Column(c.Name)
		if hc == nil && c.RenamedFrom != "" {
			if old := have.Column(c.RenamedFrom); old != nil && want.Column(c.RenamedFrom) == nil {
				d.add(Step{Kind: RenameColumn, Table: want.QualifiedName(), Transactional: true, Lock: "ACCESS EXCLUSIVE",
					SQL:     fmt.Sprintf("ALTER TABLE %s RENAME COLUMN %s TO %s", want.quoted(), ident(old.Name), ident(c.Name)),
					Hazards: []Hazard{hazRename("column " + old.Name)}})
				handled[old.Name] = true
				hc = old
			}
		}
		if hc == nil {
			d.addColumn(have, want, c)
			continue
		}
		handled[hc.Name] = true
		d.column(have, want, hc, c)
	}
	for _, hc := range have.Columns {
		if !handled[hc.Name] {
			d.add(Step{Kind: DropColumn, Table: want.QualifiedName(), Transactional: true, Lock: "ACCESS EXCLUSIVE",
				SQL:     fmt.Sprintf("ALTER TABLE %s DROP COLUMN %s", want.quoted(), ident(hc.Name)),
				Hazards: []Hazard{{Code: "drop-column", Severity: Destructive, Reason: "drops column " + hc.Name + " and its data; deploy code that no longer uses it first; applied only with Allow.DropColumn"}}})
		}
	}
	d.keys(have, want)
	d.comments(have, want)
}

func (d *differ) addColumn(have, want *Table, c *Column) {
	s := Step{Kind: AddColumn, Table: want.QualifiedName(), Transactional: true, Lock: "ACCESS EXCLUSIVE",
		SQL: fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s", want.quoted(), columnDef(c))}
	switch {
	case c.NotNull && c.Default == "" && c.Identity == "" && c.Generated == "" && d.populated(have):
		s.Hazards = append(s.Hazards, Hazard{Code: "not-null-no-default", Severity: Unsafe,
			Reason: "a NOT NULL column without a default cannot be added to a non-empty table; add it nullable, backfill, then set NOT NULL"})
	case c.Default != "" && isVolatile(c.Default) || c.Identity != "" || c.Generated != "" || d.opts.ServerVersion < 110000 && c.Default != "":
		s.Hazards = append(s.Hazards, Hazard{Code: "table-rewrite", Severity: Unsafe,
			Reason: "a volatile default, identity or generated column rewrites the whole table under ACCESS EXCLUSIVE; add the column without it and backfill in batches"})
	}
	s.Hazards = append(s.Hazards, hazCachedPlan())
	d.add(s)
}

// column diffs one existing column.
func (d *differ) column(have, want *Table, hc, c *Column) {
	tbl, col := want.quoted(), ident(c.Name)
	alter := "ALTER TABLE " + tbl + " ALTER COLUMN " + col
	if hc.Type != c.Type || hc.Collation != c.Collation {
		d.alterType(want, hc, c, alter)
	}
	if !sameDefault(want, hc, c) && c.Identity == "" {
		if c.Default == "" {
			d.add(Step{Kind: DropDefault, Table: want.QualifiedName(), Transactional: true, Lock: "ACCESS EXCLUSIVE", SQL: alter + " DROP DEFAULT"})
		} else {
			d.add(Step{Kind: SetDefault, Table: want.QualifiedName(), Transactional: true, Lock: "ACCESS EXCLUSIVE", SQL: alter + " SET DEFAULT " + defaultSQL(c.Default)})
		}
	}
	if hc.Identity != c.Identity {
		d.alterIdentity(want, hc, c, alter)
	}
	if h := helperCheck(have, c.Name); h != nil && hc.NotNull && c.NotNull {
		d.claim(want.QualifiedName(), h.Name)
		d.add(Step{Kind: DropHelperCheck, Table: want.QualifiedName(), Transactional: true, Lock: "ACCESS EXCLUSIVE",
			SQL: fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT %s", want.quoted(), ident(h.Name))})
	}
	switch {
	case hc.NotNull && !c.NotNull && !inPK(have, c.Name):
		d.add(Step{Kind: DropNotNull, Table: want.QualifiedName(), Transactional: true, Lock: "ACCESS EXCLUSIVE", SQL: alter + " DROP NOT NULL"})
	case !hc.NotNull && c.NotNull:
		d.setNotNull(have, want, c, alter)
	}
}

// sameDefault reports whether the live default hc has is the one the
// model's column c of want asks for: exactly the server's form when
// planning deparsed want's expressions, else equal after the hand
// normaliser.
func sameDefault(want *Table, hc, c *Column) bool {
	if want.deparsedDefaults {
		return hc.Default == c.serverDefault
	}
	return normalizeExpr(hc.Default) == normalizeExpr(c.Default)
}

func inPK(t *Table, col string) bool {
	if t.PrimaryKey == nil {
		return false
	}
	for _, c := range t.PrimaryKey.Columns {
		if c == col {
			return true
		}
	}
	return false
}

func (d *differ) alterType(want *Table, hc, c *Column, alter string) {
	sql := alter + " TYPE " + c.Type
	if c.Collation != "" {
		sql += " COLLATE " + ident(c.Collation)
	}
	s := Step{Kind: AlterColumnType, Table: want.QualifiedName(), Transactional: true, Lock: "ACCESS EXCLUSIVE"}
	switch change := typeChange(hc.Type, c.Type); {
	case hc.Type == c.Type:
		s.Hazards = append(s.Hazards, Hazard{Code: "collation-change", Severity: Unsafe, Reason: "a collation change rebuilds every index on the column under ACCESS EXCLUSIVE"})
	case change == binaryCoercible:
		s.Hazards = append(s.Hazards, Hazard{Code: "type-change", Severity: Info, Reason: fmt.Sprintf("%s → %s is binary-coercible: no rewrite, a brief ACCESS EXCLUSIVE lock", hc.Type, c.Type)})
	case change == narrowing:
		// No USING: an explicit cast would silently truncate strings; the
		// implicit assignment cast fails on a value that does not fit.
		s.Kind = NarrowType
		s.Hazards = append(s.Hazards, Hazard{Code: "narrowing-type", Severity: Destructive, Reason: fmt.Sprintf("%s → %s fails if an existing value does not fit (nothing is truncated); applied only with Allow.Narrowing", hc.Type, c.Type)})
	default:
		sql += " USING " + ident(c.Name) + "::" + c.Type
		s.Hazards = append(s.Hazards, Hazard{Code: "table-rewrite", Severity: Unsafe, Reason: fmt.Sprintf("%s → %s rewrites the table and its indexes under ACCESS EXCLUSIVE; add a new column, backfill, and switch over instead", hc.Type, c.Type)})
	}
	s.SQL = sql
	s.Hazards = append(s.Hazards, hazCachedPlan())
	d.add(s)
}

func (d *differ) alterIdentity(want *Table, hc, c *Column, alter string) {
	var sql string
	switch {
	case c.Identity == "":
		sql = alter + " DROP IDENTITY"
	case hc.Identity == "":
		sql = alter + " ADD GENERATED " + strings.ToUpper(identityWord(c.Identity)) + " AS IDENTITY"
	default:
		sql = alter + " SET GENERATED " + strings.ToUpper(identityWord(c.Identity))
	}
	d.add(Step{Kind: AlterIdentity, Table: want.QualifiedName(), Transactional: true, Lock: "ACCESS EXCLUSIVE", SQL: sql,
		Hazards: []Hazard{{Code: "identity-change", Severity: Warning, Reason: "changing identity affects how inserts get ids; an added identity starts at 1 — set its start above existing ids (ALTER … RESTART WITH)"}}})
}

func identityWord(s string) string {
	if s == "always" {
		return "always"
	}
	return "by default"
}

// setNotNull adds NOT NULL; online it goes through a validated CHECK, which
// PostgreSQL 12+ uses to skip the full-table scan under ACCESS EXCLUSIVE.
func (d *differ) setNotNull(have, want *Table, c *Column, alter string) {
	tn := want.QualifiedName()
	if !d.populated(have) {
		d.add(Step{Kind: SetNotNull, Table: tn, Transactional: true, Lock: "ACCESS EXCLUSIVE", SQL: alter + " SET NOT NULL"})
		return
	}
	if !d.opts.Online || d.opts.ServerVersion < 120000 {
		d.add(Step{Kind: SetNotNull, Table: tn, Transactional: true, Lock: "ACCESS EXCLUSIVE", SQL: alter + " SET NOT NULL",
			Hazards: []Hazard{{Code: "set-not-null-scan", Severity: Unsafe, Reason: "SET NOT NULL scans the whole table under ACCESS EXCLUSIVE; plan online to use a NOT VALID CHECK, VALIDATE, then SET NOT NULL"}}})
		return
	}
	name := helperCheckName(want, c.Name)
	check := ident(name)
	if h := helperCheck(have, c.Name); h != nil {
		d.claim(tn, h.Name)
		check = ident(h.Name)
		if !h.Valid {
			d.add(Step{Kind: ValidateConstr, Table: tn, Transactional: false, Lock: "SHARE UPDATE EXCLUSIVE",
				SQL: fmt.Sprintf("ALTER TABLE %s VALIDATE CONSTRAINT %s", want.quoted(), check)})
		}
	} else {
		d.add(Step{Kind: AddConstraint, Table: tn, Transactional: true, Lock: "ACCESS EXCLUSIVE",
			SQL: fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s CHECK (%s IS NOT NULL) NOT VALID", want.quoted(), check, ident(c.Name))})
		d.add(Step{Kind: ValidateConstr, Table: tn, Transactional: false, Lock: "SHARE UPDATE EXCLUSIVE",
			SQL: fmt.Sprintf("ALTER TABLE %s VALIDATE CONSTRAINT %s", want.quoted(), check)})
	}
	d.add(Step{Kind: SetNotNull, Table: tn, Transactional: false, Lock: "ACCESS EXCLUSIVE", SQL: alter + " SET NOT NULL",
		Hazards: []Hazard{{Code: "set-not-null-scan", Severity: Info, Reason: "skips the table scan: the validated CHECK proves the column has no NULL"}}})
	d.add(Step{Kind: DropHelperCheck, Table: tn, Transactional: false, Lock: "ACCESS EXCLUSIVE",
		SQL: fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT %s", want.quoted(), check)})
}

// unquoteIdents drops double quotes, for comparing expressions where one
// side quotes a plain name and the other does not.
func unquoteIdents(s string) string { return strings.ReplaceAll(s, `"`, "") }

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
