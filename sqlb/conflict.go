package sqlb

// Conflict is the target of ON CONFLICT: a column list (optionally with a
// partial-index predicate), a named constraint, or nothing (DO NOTHING
// only). Make one with ConflictOn, ConflictOnConstraint or AnyConflict.
type Conflict struct {
	cols       []string // quoted
	constraint string   // quoted
	where      Sqlizer
	err        error
}

// ConflictOn targets a unique index or constraint by its columns.
func ConflictOn(cols ...string) Conflict {
	c := Conflict{}
	for _, col := range cols {
		q, err := quoteQualified(col, false)
		if err != nil {
			c.err = wrapOp("ConflictOn("+quoteForMsg(col)+")", err)
			return c
		}
		c.cols = append(c.cols, q)
	}
	if len(cols) == 0 {
		c.err = errorf("ConflictOn", ErrIncomplete, "no columns")
	}
	return c
}

// ConflictOnConstraint targets a constraint by name (ON CONSTRAINT name).
func ConflictOnConstraint(name string) Conflict {
	if err := checkIdent(name); err != nil {
		return Conflict{err: wrapOp("ConflictOnConstraint("+quoteForMsg(name)+")", err)}
	}
	return Conflict{constraint: quoteIdent(name)}
}

// AnyConflict has no target; only DoNothing may follow it.
func AnyConflict() Conflict { return Conflict{} }

// Where adds the predicate of a partial unique index to a column target.
func (c Conflict) Where(cond Sqlizer) Conflict { c.where = cond; return c }

// ConflictAction is what ON CONFLICT does: DoNothing or DoUpdate.
type ConflictAction struct {
	nothing bool
	sets    []setItem
	where   Sqlizer
	err     error
}

type setItem struct {
	col string // quoted
	v   any    // value; excludedRef for EXCLUDED.col
}

type excludedRef string

// DoNothing is ON CONFLICT … DO NOTHING.
func DoNothing() ConflictAction { return ConflictAction{nothing: true} }

// DoUpdate is ON CONFLICT … DO UPDATE; add assignments with SetExcluded
// and Set.
func DoUpdate() ConflictAction { return ConflictAction{} }

// SetExcluded sets each column to the value that was proposed for
// insertion: col = EXCLUDED.col.
func (a ConflictAction) SetExcluded(cols ...string) ConflictAction {
	sets := appendCow(a.sets)
	for _, col := range cols {
		if err := checkIdent(col); err != nil {
			a.err = wrapOp("DoUpdate.SetExcluded("+quoteForMsg(col)+")", err)
			return a
		}
		q := quoteIdent(col)
		sets = append(sets, setItem{col: q, v: excludedRef(q)})
	}
	a.sets = sets
	return a
}

// Set sets col to v: a value (a parameter), Col("t.x"), or a Sqlizer such
// as Raw(`"t"."n" + EXCLUDED."n"`).
func (a ConflictAction) Set(col string, v any) ConflictAction {
	if err := checkIdent(col); err != nil {
		a.err = wrapOp("DoUpdate.Set("+quoteForMsg(col)+")", err)
		return a
	}
	if err := checkValue(v); err != nil {
		a.err = wrapOp("DoUpdate.Set("+quoteForMsg(col)+")", err)
		return a
	}
	a.sets = appendCow(a.sets, setItem{col: quoteIdent(col), v: v})
	return a
}

// Where makes the update conditional: DO UPDATE SET … WHERE cond.
func (a ConflictAction) Where(cond Sqlizer) ConflictAction { a.where = cond; return a }

func appendConflict(w *writer, c Conflict, a ConflictAction) error {
	if c.err != nil {
		return c.err
	}
	if a.err != nil {
		return a.err
	}
	w.str(" ON CONFLICT")
	switch {
	case c.constraint != "":
		w.str(" ON CONSTRAINT ")
		w.str(c.constraint)
	case len(c.cols) > 0:
		w.str(" (")
		w.list(c.cols)
		w.buf = append(w.buf, ')')
		if c.where != nil {
			w.str(" WHERE ")
			if err := w.cond(c.where); err != nil {
				return err
			}
		}
	default:
		if !a.nothing {
			return errorf("Insert.OnConflict", ErrIncomplete, "DO UPDATE needs a conflict target")
		}
	}
	if a.nothing {
		w.str(" DO NOTHING")
		return nil
	}
	if len(a.sets) == 0 {
		return errorf("Insert.OnConflict", ErrIncomplete, "DO UPDATE without assignments")
	}
	w.str(" DO UPDATE SET ")
	if err := appendSets(w, a.sets); err != nil {
		return err
	}
	if a.where != nil {
		w.str(" WHERE ")
		return w.cond(a.where)
	}
	return nil
}

func appendSets(w *writer, sets []setItem) error {
	for i, s := range sets {
		if i > 0 {
			w.str(", ")
		}
		w.str(s.col)
		w.str(" = ")
		if x, ok := s.v.(excludedRef); ok {
			w.str("EXCLUDED.")
			w.str(string(x))
			continue
		}
		if err := w.value(s.v); err != nil {
			return err
		}
	}
	return nil
}
