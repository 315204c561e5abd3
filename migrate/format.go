package migrate

import (
	"fmt"
	"sort"
	"strings"
)

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
