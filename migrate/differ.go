package migrate

// differ is the state of one Diff walk: the live schema, the steps made so
// far and the live objects a multi-step change has claimed. diff.go walks
// schemas and tables, diff_table.go columns and comments, diff_keys.go
// constraints and indexes; each calls only downward (and into ddl.go and
// helper_check.go, which call nothing back).
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

// populated reports whether the live table have is to be treated as
// holding rows: it has data pages, or the plan assumes every table does.
func (d *differ) populated(have *Table) bool { return have.HasRows || d.opts.AssumePopulated }
