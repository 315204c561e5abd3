package migrate

import "fmt"

// keys diffs the primary key, constraints and indexes of an existing
// table. Constraints and indexes are matched by definition, not by name.
func (d *differ) keys(have, want *Table) {
	d.primaryKey(have, want)
	for _, c := range have.Constraints {
		col := helperColumn(have, c)
		if c.Kind != CheckConstraint || helperCheck(have, col) != c || declares(want, c) {
			continue
		}
		d.claim(want.QualifiedName(), c.Name) // handled with its column
		if wc := wantColumn(want, col); wc == nil || !wc.NotNull {
			// The model no longer wants NOT NULL: the check of an online
			// SET NOT NULL that stopped half-way (or was rolled back) would
			// still refuse NULLs, so it goes.
			d.add(Step{Kind: DropHelperCheck, Table: want.QualifiedName(), Transactional: true, Lock: "ACCESS EXCLUSIVE",
				SQL: fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT %s", want.quoted(), ident(c.Name))})
		}
	}
	haveC := map[string]*Constraint{}
	for _, c := range have.Constraints {
		haveC[c.key()] = c
	}
	wantC := map[string]bool{}
	for _, c := range want.Constraints {
		k := wantConstraintKey(want, c)
		wantC[k] = true
		switch h := haveC[k]; {
		case h == nil:
			d.addConstraint(have, want, c)
		case !h.Valid:
			d.add(Step{Kind: ValidateConstr, Table: want.QualifiedName(), Transactional: !d.opts.Online, Lock: "SHARE UPDATE EXCLUSIVE",
				SQL: fmt.Sprintf("ALTER TABLE %s VALIDATE CONSTRAINT %s", want.quoted(), ident(h.Name))})
		}
	}
	for _, c := range have.Constraints {
		if !wantC[c.key()] && !d.isClaimed(want.QualifiedName(), c.Name) {
			d.dropConstraint(want, c)
		}
	}
	d.indexes(have, want)
}

// wantConstraintKey is the key of want's constraint c, compared with the
// live constraints' key(): a check's expression in the server's form when
// planning deparsed want's expressions.
func wantConstraintKey(want *Table, c *Constraint) string {
	if want.deparsedKeys && c.Kind == CheckConstraint {
		cp := *c
		cp.Check = c.serverCheck
		return cp.key()
	}
	return c.key()
}

func (d *differ) primaryKey(have, want *Table) {
	switch {
	case want.PrimaryKey == nil && have.PrimaryKey == nil:
	case want.PrimaryKey == nil:
		d.dropConstraint(want, have.PrimaryKey)
	case have.PrimaryKey == nil:
		d.addConstraint(have, want, want.PrimaryKey)
	case want.PrimaryKey.key() != have.PrimaryKey.key():
		d.dropConstraint(want, have.PrimaryKey)
		d.addConstraint(have, want, want.PrimaryKey)
	}
}

func (d *differ) dropConstraint(want *Table, c *Constraint) {
	d.add(Step{Kind: DropConstraint, Table: want.QualifiedName(), Transactional: true, Lock: "ACCESS EXCLUSIVE",
		SQL: fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT %s", want.quoted(), ident(c.Name)),
		Hazards: []Hazard{{Code: "drop-constraint", Severity: Destructive,
			Reason: fmt.Sprintf("drops %s constraint %s: the database stops enforcing it; applied only with Allow.DropConstraint", c.Kind, c.Name)}}})
}

// addConstraint adds a constraint to an existing table. On a populated
// table the plain form validates every row under a lock that blocks
// writes; online, foreign keys and checks are added NOT VALID and
// validated after the commit, and unique/primary keys are attached to an
// index built concurrently.
func (d *differ) addConstraint(have, want *Table, c *Constraint) {
	tn, tq := want.QualifiedName(), want.quoted()
	add := fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s %s", tq, ident(c.Name), constraintBody(c))
	if !d.populated(have) {
		d.add(Step{Kind: AddConstraint, Table: tn, Transactional: true, Lock: constraintLock(c), SQL: add})
		return
	}
	switch c.Kind {
	case UniqueConstraint, PrimaryKeyConstraint:
		if !d.opts.Online {
			d.add(Step{Kind: AddConstraint, Table: tn, Transactional: true, Lock: "ACCESS EXCLUSIVE", SQL: add,
				Hazards: []Hazard{{Code: "blocking-unique", Severity: Unsafe, Reason: "builds the unique index while holding ACCESS EXCLUSIVE; plan online to build it CONCURRENTLY and attach it"}}})
			return
		}
		ix := &Index{Name: c.Name, Unique: true, Method: "btree", Columns: c.Columns, Valid: true}
		if built := findIndex(have, want, ix); built != nil && built.Valid {
			d.claim(tn, built.Name) // built by an earlier run that stopped before attaching it
		} else {
			d.add(d.concurrentIndex(want, ix))
		}
		kw := "UNIQUE"
		if c.Kind == PrimaryKeyConstraint {
			kw = "PRIMARY KEY"
		}
		d.add(Step{Kind: AttachIndex, Table: tn, Transactional: false, Lock: "ACCESS EXCLUSIVE",
			SQL: fmt.Sprintf("ALTER TABLE %s ADD CONSTRAINT %s %s USING INDEX %s", tq, ident(c.Name), kw, ident(c.Name))})
	default:
		if !d.opts.Online {
			d.add(Step{Kind: AddConstraint, Table: tn, Transactional: true, Lock: constraintLock(c), SQL: add,
				Hazards: []Hazard{{Code: "validating-constraint", Severity: Unsafe, Reason: "checks every existing row while blocking writes; plan online to add it NOT VALID and VALIDATE it separately"}}})
			return
		}
		d.add(Step{Kind: AddConstraint, Table: tn, Transactional: true, Lock: constraintLock(c), SQL: add + " NOT VALID"})
		d.add(Step{Kind: ValidateConstr, Table: tn, Transactional: false, Lock: "SHARE UPDATE EXCLUSIVE",
			SQL: fmt.Sprintf("ALTER TABLE %s VALIDATE CONSTRAINT %s", tq, ident(c.Name))})
	}
}

func constraintLock(c *Constraint) string {
	if c.Kind == ForeignKeyConstraint {
		return "SHARE ROW EXCLUSIVE"
	}
	return "ACCESS EXCLUSIVE"
}

func (d *differ) indexes(have, want *Table) {
	haveIx := map[string]*Index{}
	for _, ix := range have.Indexes {
		haveIx[liveIndexKey(want, ix)] = ix
	}
	wanted := map[string]bool{}
	for _, ix := range want.Indexes {
		k := wantIndexKey(want, ix)
		wanted[k] = true
		if h := haveIx[k]; h != nil && h.Valid {
			continue
		}
		d.createIndex(have, want, ix)
	}
	for _, ix := range have.Indexes {
		keep := ix.Valid && (wanted[liveIndexKey(want, ix)] || d.isClaimed(want.QualifiedName(), ix.Name))
		if !keep {
			d.dropIndex(want, ix)
		}
	}
}

// liveIndexKey and wantIndexKey key a live index and an index of the
// model's table want by definition: the predicate as the server prints it
// when planning deparsed want's predicates, else both through the hand
// normaliser.
func liveIndexKey(want *Table, ix *Index) string {
	cp := *ix
	if !want.deparsedKeys {
		cp.Where = normalizeExpr(ix.Where)
	}
	return cp.key()
}

func wantIndexKey(want *Table, ix *Index) string {
	cp := *ix
	if want.deparsedKeys {
		cp.Where = ix.serverWhere
	} else {
		cp.Where = normalizeExpr(ix.Where)
	}
	return cp.key()
}

func (d *differ) createIndex(have, want *Table, ix *Index) {
	if !d.populated(have) {
		d.add(Step{Kind: CreateIndex, Table: want.QualifiedName(), Transactional: true, Lock: "SHARE", SQL: indexSQL(want, ix, false)})
		return
	}
	if d.opts.Online {
		d.add(d.concurrentIndex(want, ix))
		return
	}
	d.add(Step{Kind: CreateIndex, Table: want.QualifiedName(), Transactional: true, Lock: "SHARE", SQL: indexSQL(want, ix, false),
		Hazards: []Hazard{{Code: "blocking-index", Severity: Unsafe, Reason: "CREATE INDEX blocks writes to the table until built; plan online for CREATE INDEX CONCURRENTLY"}}})
}

func (d *differ) concurrentIndex(want *Table, ix *Index) Step {
	s := Step{Kind: CreateIndex, Table: want.QualifiedName(), Transactional: false, Lock: "SHARE UPDATE EXCLUSIVE", SQL: indexSQL(want, ix, true)}
	if v := d.opts.ServerVersion; v >= 140000 && v < 140004 {
		s.Hazards = append(s.Hazards, Hazard{Code: "pg14-concurrent-index-bug", Severity: Unsafe,
			Reason: "PostgreSQL 14.0–14.3 can corrupt indexes built CONCURRENTLY; upgrade to 14.4+ (then REINDEX) before running this"})
	}
	return s
}

func (d *differ) dropIndex(want *Table, ix *Index) {
	sql := "DROP INDEX " + (&Table{Schema: want.Schema, Name: ix.Name}).quoted()
	lock := "ACCESS EXCLUSIVE"
	transactional := true
	if d.opts.Online {
		sql = "DROP INDEX CONCURRENTLY " + (&Table{Schema: want.Schema, Name: ix.Name}).quoted()
		lock, transactional = "SHARE UPDATE EXCLUSIVE", false
	}
	h := Hazard{Code: "drop-index", Severity: Destructive, Reason: "drops index " + ix.Name + ": queries using it get slower; applied only with Allow.DropIndex"}
	if !ix.Valid {
		h = Hazard{Code: "invalid-index", Severity: Info, Reason: "index " + ix.Name + " is INVALID (a failed concurrent build): dropped and rebuilt"}
	}
	d.add(Step{Kind: DropIndex, Table: want.QualifiedName(), Transactional: transactional, Lock: lock, SQL: sql, Hazards: []Hazard{h}})
}

// findIndex returns have's index with the name and definition of want's
// index ix.
func findIndex(have, want *Table, ix *Index) *Index {
	for _, h := range have.Indexes {
		if h.Name == ix.Name && liveIndexKey(want, h) == wantIndexKey(want, ix) {
			return h
		}
	}
	return nil
}

// wantColumn is the model's column of want that the live column col
// becomes: the column of that name, or the one renamed from it.
func wantColumn(want *Table, col string) *Column {
	for _, c := range want.Columns {
		if c.RenamedFrom == col && want.Column(col) == nil {
			return c
		}
	}
	return want.Column(col)
}

// declares reports whether want itself has a check named like the live
// check c — a desired schema read from a catalog (the target of a down
// file), where a helper check is an ordinary constraint.
func declares(want *Table, c *Constraint) bool {
	for _, wc := range want.Constraints {
		if wc.Kind == CheckConstraint && wc.Name == c.Name {
			return true
		}
	}
	return false
}
