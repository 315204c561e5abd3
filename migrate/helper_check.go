package migrate

// An online SET NOT NULL goes through a helper CHECK (col IS NOT NULL)
// NOT VALID, validated, then dropped once SET NOT NULL has used it. These
// functions name and find that check, so a run that stopped half-way is
// picked up by the next plan rather than duplicated or dropped.

// helperCheckName is the name of the helper check for col of t.
func helperCheckName(t *Table, col string) string {
	return objectName(t.Name + "_" + col + "_not_null")
}

// isHelperCheckName reports whether name is the helper check's name for
// col: the current one, or the one releases before objectName gave it
// (cut to 63 bytes), so a run of such a release that stopped half-way is
// still recognized.
func isHelperCheckName(t *Table, col, name string) bool {
	full := t.Name + "_" + col + "_not_null"
	return name == objectName(full) || name == cutAtRune(full, maxNameLen)
}

// helperCheck returns the CHECK (col IS NOT NULL) an online SET NOT NULL
// added, when an earlier run stopped before finishing.
func helperCheck(t *Table, col string) *Constraint {
	want := normalizeExpr(ident(col) + " IS NOT NULL")
	for _, c := range t.Constraints {
		if c.Kind == CheckConstraint && isHelperCheckName(t, col, c.Name) && normalizeExpr(unquoteIdents(c.Check)) == normalizeExpr(unquoteIdents(want)) {
			return c
		}
	}
	return nil
}

// helperColumn guesses the column a <table>_<col>_not_null check is for.
func helperColumn(t *Table, c *Constraint) string {
	for _, col := range t.Columns {
		if isHelperCheckName(t, col.Name, c.Name) {
			return col.Name
		}
	}
	return ""
}
