package migratecmd

import (
	"fmt"
	"sort"

	"github.com/jackc/pgx/v5"

	"github.com/normkit/norm/migrate"
)

// A generated transactional file that alters two tables linked by a
// foreign key can deadlock with the application: a writer inserting into
// the child locks the child, then the parent for its foreign-key check,
// while the file's ALTER on the parent came first and its ALTER on the
// child now waits for the writer (seen in the e2e test: 40P01 on either
// side). The file therefore takes its table locks up front, children
// before the tables they reference, the order such writers use.

// lockModeRank orders the lock modes the planner's steps take, weakest
// first.
var lockModeRank = map[string]int{
	"SHARE UPDATE EXCLUSIVE": 1, "SHARE": 2, "SHARE ROW EXCLUSIVE": 3, "EXCLUSIVE": 4, "ACCESS EXCLUSIVE": 5,
}

// upfrontLocks returns the LOCK TABLE statements for the existing tables
// that steps alter, each in the strongest mode its steps take, tables
// that reference others first; none when fewer than two tables are
// involved (no order to get wrong).
func upfrontLocks(steps []migrate.Step, before, desired *migrate.Schema) []string {
	modes := map[string]string{} // qualified live name → mode
	tables := map[string]*migrate.Table{}
	for _, s := range steps {
		t := liveTable(s.Table, before, desired)
		if t == nil || lockModeRank[s.Lock] == 0 {
			continue // a table or schema the file creates
		}
		q := t.QualifiedName()
		tables[q] = t
		if lockModeRank[s.Lock] > lockModeRank[modes[q]] {
			modes[q] = s.Lock
		}
	}
	if len(tables) < 2 {
		return nil
	}
	var out []string
	for _, q := range childrenFirst(tables) {
		t := tables[q]
		out = append(out, fmt.Sprintf("LOCK TABLE %s IN %s MODE", pgx.Identifier{t.Schema, t.Name}.Sanitize(), modes[q]))
	}
	return out
}

// liveTable is the table of before that a step on qualified (the
// model's name) alters: the table itself, or the one it is renamed from.
func liveTable(qualified string, before, desired *migrate.Schema) *migrate.Table {
	for _, t := range before.Tables {
		if t.QualifiedName() == qualified {
			return t
		}
	}
	for _, d := range desired.Tables {
		if d.QualifiedName() == qualified && d.RenamedFrom != "" {
			return before.Table(d.Schema, d.RenamedFrom)
		}
	}
	return nil
}

// childrenFirst orders tables so that a table comes before every table
// it references by foreign key; ties, and tables in a reference cycle, by
// name.
func childrenFirst(tables map[string]*migrate.Table) []string {
	referencedBy := map[string]map[string]bool{} // parent → children in the set
	for q, t := range tables {
		for _, c := range t.Constraints {
			parent := c.RefSchema + "." + c.RefTable
			if c.Kind == migrate.ForeignKeyConstraint && tables[parent] != nil && parent != q {
				if referencedBy[parent] == nil {
					referencedBy[parent] = map[string]bool{}
				}
				referencedBy[parent][q] = true
			}
		}
	}
	remaining := map[string]bool{}
	for q := range tables {
		remaining[q] = true
	}
	var out []string
	for len(remaining) > 0 {
		var ready []string
		for q := range remaining {
			free := true
			for child := range referencedBy[q] {
				free = free && !remaining[child]
			}
			if free {
				ready = append(ready, q)
			}
		}
		if len(ready) == 0 { // a cycle: take the rest by name
			for q := range remaining {
				ready = append(ready, q)
			}
		}
		sort.Strings(ready)
		for _, q := range ready {
			out = append(out, q)
			delete(remaining, q)
		}
	}
	return out
}
