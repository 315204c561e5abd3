package migrate

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Severity ranks a hazard.
type Severity int

// Severities, from harmless to data-losing.
const (
	// Info: worth knowing, safe to run.
	Info Severity = iota + 1
	// Warning: safe for the data, but may disturb running applications
	// (a rename, a short exclusive lock).
	Warning
	// Unsafe: may block reads or writes for long on a populated table, or
	// fail there; an online form usually exists.
	Unsafe
	// Destructive: drops data or schema; applied only with an explicit
	// opt-in for its kind.
	Destructive
)

var severityNames = map[Severity]string{Info: "info", Warning: "warning", Unsafe: "unsafe", Destructive: "destructive"}

// String returns "info", "warning", "unsafe" or "destructive".
func (s Severity) String() string {
	if n, ok := severityNames[s]; ok {
		return n
	}
	return fmt.Sprintf("Severity(%d)", int(s))
}

// MarshalText makes severities readable in JSON plans.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Hazard is one risk of a step.
type Hazard struct {
	// Code names the hazard in the hazard catalog (docs/guides/migrate.md),
	// for example "table-rewrite".
	Code     string   `json:"code"`
	Severity Severity `json:"severity"`
	// Reason is one line saying why, and what the safe alternative is.
	Reason string `json:"reason"`
}

// StepKind names what a step does.
type StepKind string

// Step kinds. The Drop… kinds and NarrowType are destructive.
const (
	CreateSchema     StepKind = "create_schema"
	CreateTable      StepKind = "create_table"
	RenameTable      StepKind = "rename_table"
	AddColumn        StepKind = "add_column"
	RenameColumn     StepKind = "rename_column"
	AlterColumnType  StepKind = "alter_column_type"
	NarrowType       StepKind = "narrow_column_type"
	SetNotNull       StepKind = "set_not_null"
	DropNotNull      StepKind = "drop_not_null"
	SetDefault       StepKind = "set_default"
	DropDefault      StepKind = "drop_default"
	AlterIdentity    StepKind = "alter_identity"
	AddConstraint    StepKind = "add_constraint"
	ValidateConstr   StepKind = "validate_constraint"
	CreateIndex      StepKind = "create_index"
	Comment          StepKind = "comment"
	DropConstraint   StepKind = "drop_constraint"
	DropIndex        StepKind = "drop_index"
	DropColumn       StepKind = "drop_column"
	DropTable        StepKind = "drop_table"
	AttachIndex      StepKind = "add_constraint_using_index"
	DropHelperCheck  StepKind = "drop_helper_check"
	CreateIndexCheck StepKind = "check_index"
)

// Step is one statement of a plan.
type Step struct {
	Kind StepKind `json:"kind"`
	// Table is "schema.table", unquoted.
	Table string `json:"table"`
	SQL   string `json:"sql"`
	// Transactional is false for statements that cannot run in a
	// transaction (CREATE INDEX CONCURRENTLY); they run after the
	// transactional part has committed.
	Transactional bool `json:"transactional"`
	// Lock is the strongest table lock the statement takes.
	Lock    string   `json:"lock"`
	Hazards []Hazard `json:"hazards,omitempty"`
}

// Severity is the step's worst hazard, or 0 without hazards.
func (s Step) Severity() Severity {
	var worst Severity
	for _, h := range s.Hazards {
		worst = max(worst, h.Severity)
	}
	return worst
}

// PlanOptions changes how a plan is made.
type PlanOptions struct {
	// Online emits the multi-step forms that avoid long locks on
	// populated tables: CREATE INDEX CONCURRENTLY, constraints added NOT
	// VALID then validated, SET NOT NULL through a validated CHECK, unique
	// constraints attached to a concurrently built index. Default false.
	Online bool

	// DropTables names tables ("schema.table" or "table" for public) that
	// no model describes and that the plan may drop. Tables not described
	// by any model are otherwise never touched.
	DropTables []string

	// AssumePopulated plans as if every existing table held rows: the
	// steps that lock or fail only on a populated table get their hazards
	// and, with Online, their online forms, even where the live table is
	// empty. Set it when the plan is written to a file that will run on
	// other databases (`migrate diff` plans on an empty scratch database).
	// Tables the plan creates are still known to be empty. Default false:
	// the live table's own pages decide (Table.HasRows).
	AssumePopulated bool

	// ServerVersion is server_version_num; Diff assumes 150000 when zero.
	ServerVersion int
}

// Plan is an ordered list of steps that turns the live schema into the
// desired one. The same inputs give a byte-identical plan.
type Plan struct {
	Steps []Step `json:"steps"`
	// ServerVersion is server_version_num of the database planned
	// against; version-dependent hazards use it.
	ServerVersion int `json:"server_version"`
	// Online reports whether the plan was made in online mode.
	Online bool `json:"online"`
}

// Empty reports whether there is nothing to do.
func (p *Plan) Empty() bool { return len(p.Steps) == 0 }

// MaxSeverity is the worst hazard of any step, or 0.
func (p *Plan) MaxSeverity() Severity {
	var worst Severity
	for _, s := range p.Steps {
		worst = max(worst, s.Severity())
	}
	return worst
}

// Checksum is a hex sha256 over the steps' SQL, recorded in the history.
func (p *Plan) Checksum() string {
	h := sha256.New()
	for _, s := range p.Steps {
		h.Write([]byte(s.SQL))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// JSON returns the plan as indented JSON.
func (p *Plan) JSON() ([]byte, error) { return json.MarshalIndent(p, "", "  ") }

// phase orders steps of different kinds; within a phase, steps keep the
// order of the (sorted) tables and model columns.
var phase = map[StepKind]int{
	CreateSchema: 0, RenameTable: 1, CreateTable: 2, RenameColumn: 3, AddColumn: 4,
	AlterColumnType: 5, NarrowType: 5, DropDefault: 5, SetDefault: 5, DropNotNull: 5, AlterIdentity: 5,
	DropConstraint: 6, DropIndex: 6, CreateIndex: 7, AddConstraint: 8, AttachIndex: 8,
	ValidateConstr: 9, SetNotNull: 10, DropHelperCheck: 11, Comment: 12, DropColumn: 13, DropTable: 14,
}

// sortSteps puts steps in execution order: the transactional part first,
// then what runs outside a transaction after it has committed, each part
// by phase.
func sortSteps(steps []Step) {
	sort.SliceStable(steps, func(i, j int) bool {
		a, b := steps[i], steps[j]
		if a.Transactional != b.Transactional {
			return a.Transactional
		}
		return phase[a.Kind] < phase[b.Kind]
	})
}

// Unsafe reports whether any step has an unsafe or destructive hazard —
// what a CI gate (`plan --check`) fails on.
func (p *Plan) Unsafe() bool { return p.MaxSeverity() >= Unsafe }

// Text renders the plan for a terminal or a code review: a summary line,
// then one section per table, tables with the worst hazards first, steps
// in execution order with their lock, hazards and SQL.
func (p *Plan) Text() string {
	if p.Empty() {
		return "Plan: no changes.\n"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Plan: %d step(s)%s, worst hazard: %s\n", len(p.Steps), onlineNote(p.Online), severityOrNone(p.MaxSeverity()))
	for _, g := range p.groups() {
		fmt.Fprintf(&b, "\n== %s (%s)\n", g.table, severityOrNone(g.max))
		for _, i := range g.steps {
			writeStep(&b, i+1, p.Steps[i])
		}
	}
	return b.String()
}

func onlineNote(online bool) string {
	if online {
		return ", online mode"
	}
	return ""
}

func severityOrNone(s Severity) string {
	if s == 0 {
		return "none"
	}
	return s.String()
}

type stepGroup struct {
	table string
	max   Severity
	steps []int
}

// groups collects step indexes per table, worst severity first, then by
// table name, so the same plan always prints the same way.
func (p *Plan) groups() []stepGroup {
	byTable := map[string]*stepGroup{}
	var order []*stepGroup
	for i, s := range p.Steps {
		g := byTable[s.Table]
		if g == nil {
			g = &stepGroup{table: s.Table}
			byTable[s.Table] = g
			order = append(order, g)
		}
		g.steps = append(g.steps, i)
		if sv := s.Severity(); sv > g.max {
			g.max = sv
		}
	}
	sort.SliceStable(order, func(i, j int) bool {
		if order[i].max != order[j].max {
			return order[i].max > order[j].max
		}
		return order[i].table < order[j].table
	})
	out := make([]stepGroup, len(order))
	for i, g := range order {
		out[i] = *g
	}
	return out
}

func writeStep(b *strings.Builder, n int, s Step) {
	tx := "in transaction"
	if !s.Transactional {
		tx = "outside transaction"
	}
	fmt.Fprintf(b, "  %d. %s [%s lock, %s]\n", n, s.Kind, lockOrNone(s.Lock), tx)
	for _, h := range s.Hazards {
		fmt.Fprintf(b, "     %-11s %s: %s\n", strings.ToUpper(h.Severity.String()), h.Code, h.Reason)
	}
	for _, line := range strings.Split(s.SQL, "\n") {
		fmt.Fprintf(b, "     | %s\n", line)
	}
}

func lockOrNone(l string) string {
	if l == "" {
		return "no"
	}
	return l
}
