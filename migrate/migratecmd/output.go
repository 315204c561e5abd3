package migratecmd

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/normkit/norm/migrate/versioned"
)

func (r *runner) writeJSON(v any) error {
	enc := json.NewEncoder(r.out)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("migrate: write JSON: %w", err)
	}
	return nil
}

// printResults writes one line per migration (and, for a dry run, the
// statements and warnings).
func (r *runner) printResults(results []versioned.MigrationResult, dryRun bool) error {
	if r.cl.json {
		if results == nil {
			results = []versioned.MigrationResult{}
		}
		return r.writeJSON(results)
	}
	var b strings.Builder
	if len(results) == 0 {
		b.WriteString("nothing to do\n")
	}
	for _, res := range results {
		verb := string(res.Direction)
		if dryRun {
			verb = "would " + verb
		}
		fmt.Fprintf(&b, "%-13s %d %s (%s)", verb, res.Version, res.Name, res.Source)
		if !dryRun {
			fmt.Fprintf(&b, " %s", res.Duration.Round(time.Millisecond))
		}
		if res.NoTransaction {
			b.WriteString(" [no transaction]")
		}
		b.WriteString("\n")
		for _, st := range res.Statements {
			fmt.Fprintf(&b, "    %s\n", strings.ReplaceAll(st, "\n", "\n    "))
		}
		for _, w := range res.Warnings {
			fmt.Fprintf(&b, "    warning: %s\n", w)
		}
	}
	_, err := fmt.Fprint(r.out, b.String())
	return err
}

// printStatus writes the status table.
func (r *runner) printStatus(sts []versioned.MigrationStatus) error {
	if r.cl.json {
		if sts == nil {
			sts = []versioned.MigrationStatus{}
		}
		return r.writeJSON(sts)
	}
	tw := tabwriter.NewWriter(r.out, 0, 4, 2, ' ', 0)
	_, _ = fmt.Fprintln(tw, "VERSION\tSTATE\tAPPLIED AT\tNAME\tSOURCE")
	for _, s := range sts {
		at := "-"
		if !s.AppliedAt.IsZero() {
			at = s.AppliedAt.UTC().Format(time.RFC3339)
		}
		_, _ = fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", s.Version, s.State, at, s.Name, s.Source)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, s := range sts {
		for _, w := range s.Warnings {
			if _, err := fmt.Fprintf(r.out, "warning: %s\n", w); err != nil {
				return err
			}
		}
	}
	return nil
}

func (r *runner) printPlan(p AutoPlan) error {
	if r.cl.json {
		data, err := p.JSON()
		if err != nil {
			return fmt.Errorf("migrate: render plan: %w", err)
		}
		_, err = fmt.Fprintf(r.out, "%s\n", data)
		return err
	}
	if p.Empty() {
		_, err := fmt.Fprintln(r.out, "nothing to do: the schema matches the models")
		return err
	}
	_, err := fmt.Fprint(r.out, p.Text())
	return err
}
