package migratecmd

import (
	"fmt"

	"github.com/normkit/norm/migrate"
)

// A down file is planned by the same planner as the up: from the schema
// after the up (the catalog of the scratch database) back to the schema
// before it. reverseTarget prepares that "before" side so the planner
// sees renames as renames, and leaves out what the up dropped: a dropped
// column or table comes back empty, so the down does not pretend to
// restore it and says so instead.

// reverseTarget returns a copy of before to plan the down towards from
// after: a table or column the models renamed carries the new name as
// RenamedFrom, and tables and columns the up dropped are left out and
// described in lost.
func reverseTarget(before, after, desired *migrate.Schema) (target *migrate.Schema, lost []string) {
	target = &migrate.Schema{}
	for _, bt := range before.Tables {
		t := *bt
		t.Columns = nil
		nowName := bt.Name
		if dt := renamedTable(desired, bt); dt != nil && after.Table(bt.Schema, dt.Name) != nil && after.Table(bt.Schema, bt.Name) == nil {
			nowName, t.RenamedFrom = dt.Name, dt.Name
		}
		at := after.Table(bt.Schema, nowName)
		if at == nil {
			lost = append(lost, fmt.Sprintf("the up dropped table %s with its rows", bt.QualifiedName()))
			continue
		}
		dt := desired.Table(bt.Schema, nowName)
		for _, bc := range bt.Columns {
			c := *bc
			nowCol := bc.Name
			if dc := renamedColumn(dt, bc.Name); dc != nil && at.Column(dc.Name) != nil && at.Column(bc.Name) == nil {
				nowCol, c.RenamedFrom = dc.Name, dc.Name
			}
			if at.Column(nowCol) == nil {
				lost = append(lost, fmt.Sprintf("the up dropped column %s of %s with its data", bc.Name, bt.QualifiedName()))
				continue
			}
			t.Columns = append(t.Columns, &c)
		}
		target.Tables = append(target.Tables, &t)
	}
	return target, lost
}

// renamedTable returns the model table renamed from bt, or nil.
func renamedTable(desired *migrate.Schema, bt *migrate.Table) *migrate.Table {
	for _, dt := range desired.Tables {
		if dt.Schema == bt.Schema && dt.RenamedFrom == bt.Name && dt.Name != bt.Name {
			return dt
		}
	}
	return nil
}

// renamedColumn returns the column of the model table dt renamed from
// old, or nil.
func renamedColumn(dt *migrate.Table, old string) *migrate.Column {
	if dt == nil {
		return nil
	}
	for _, c := range dt.Columns {
		if c.RenamedFrom == old && c.Name != old {
			return c
		}
	}
	return nil
}

// addedTables lists the tables of now that target does not have (under
// their name or as the new name of a renamed table): the down drops them.
func addedTables(now, target *migrate.Schema) []string {
	var out []string
	for _, t := range now.Tables {
		known := false
		for _, tt := range target.Tables {
			known = known || tt.Schema == t.Schema && (tt.Name == t.Name || tt.RenamedFrom == t.Name)
		}
		if !known {
			out = append(out, t.QualifiedName())
		}
	}
	return out
}
