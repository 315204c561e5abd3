package notes

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
)

// WriteReport prints rep as the demo's narrated report.
func WriteReport(w io.Writer, rep *Report) error {
	var b strings.Builder
	section(&b, "1. Migrations applied")
	fmt.Fprintf(&b, "Auto-migration from the models (Tenant, User, Note, Comment):\n%s", indent(rep.Migration.AutoPlan))
	for _, f := range rep.Migration.Files {
		fmt.Fprintf(&b, "SQL-file migration %d %s (%s): RLS on users, notes, comments; role %s; tenant policies\n",
			f.Version, f.Name, f.Direction, AppRole)
	}
	writeSteps(&b, rep)
	if rep.Transcript != nil {
		writeFacts(&b, rep)
	}
	section(&b, "8. A model change, planned (not applied): Note gains pinned bool NOT NULL and an index on title")
	fmt.Fprintf(&b, "Default plan (worst hazard: %s):\n%s", rep.ChangeSeverity, indent(rep.ChangePlan))
	fmt.Fprintf(&b, "Online form:\n%s", indent(rep.OnlinePlan))
	b.WriteString("The online form builds the index CONCURRENTLY; the NOT NULL column without a default stays unsafe:\n" +
		"the hazard names the way out (add it nullable, backfill, then SET NOT NULL).\n")
	section(&b, "9. Slow-query log (over the service's SlowThreshold, parameters masked)")
	for _, l := range rep.SlowLog {
		fmt.Fprintf(&b, "  %s\n", l)
	}
	writeAudit(&b, rep.AuditLog)
	if len(rep.Errors) > 0 {
		section(&b, "Internal errors")
		b.WriteString(indent(strings.Join(rep.Errors, "\n")))
	}
	if t := rep.Transcript; t != nil && len(t.Metrics) > 0 {
		section(&b, "11. Metrics page excerpt (GET /internal/debug/vars, "+ExpvarName+")")
		b.WriteString(indent(excerpt(t.Metrics)))
	}
	section(&b, "12. Shutdown")
	fmt.Fprintf(&b, "HTTP server and pool shut down gracefully in %s\n", rep.Shutdown.Round(time.Microsecond))
	_, err := io.WriteString(w, b.String())
	return err
}

func section(b *strings.Builder, title string) {
	fmt.Fprintf(b, "\n== %s\n", title)
}

// writeSteps lists every request with its status and, for reads, the
// endpoint that answered.
func writeSteps(b *strings.Builder, rep *Report) {
	section(b, "2. Requests served (http://"+rep.Addr+")")
	b.WriteString("Writes go to the primary and answer with its WAL position; the client sends it back, and a read\n" +
		"runs on the replica once it has replayed that position, on the primary before. Each read names its server.\n")
	for _, s := range rep.Steps {
		mark := "ok"
		if !s.OK() {
			mark = fmt.Sprintf("FAILED, want %d: %.200s", s.Want, strings.TrimSpace(string(s.Body)))
		}
		served := ""
		if s.ServedBy != "" {
			served = "  read on " + s.ServedBy
		}
		fmt.Fprintf(b, "  %-3d %-6s %-28s tenant %d  %-34s %s%s\n", s.Status, s.Method, short(s.Path), s.Tenant, s.Name, mark, served)
	}
}

// writeFacts narrates what the steps showed, with the statuses actually
// received.
func writeFacts(b *strings.Builder, rep *Report) {
	t := rep.Transcript
	fmt.Fprintf(b, "Pool health (GET /readyz): %s", t.Health.Status)
	for _, e := range t.Health.Endpoints {
		fmt.Fprintf(b, "; %s up=%v in_recovery=%v lag=%dB", e.Name, e.Up, e.InRecovery, e.LagBytes)
	}
	b.WriteString("\n")
	section(b, "3. Preload")
	fmt.Fprintf(b, "GET /notes/%d returned the note with %d comments (one query loads the comments of all notes read)\n",
		firstOr0(t.AcmeNotes), t.Comments)
	section(b, "4. Keyset page walk (2 per page, newest first, signed tokens)")
	for i, p := range t.Pages {
		fmt.Fprintf(b, "  page %d: %s\n", i+1, strings.Join(p, ", "))
	}
	section(b, "5. Optimistic locking")
	fmt.Fprintf(b, "Two writers hold the same version: the first update gets %d, the second %d (repo.ErrStale → 409 Conflict)\n",
		stepStatus(rep, "update at the version read"), stepStatus(rep, "stale update at the same version"))
	section(b, "6. Soft delete and restore")
	fmt.Fprintf(b, "DELETE → %d (deleted_at set); GET → %d; restore → %d; GET → %d\n",
		stepStatus(rep, "soft delete"), stepStatus(rep, "read deleted note"),
		stepStatus(rep, "restore"), stepStatus(rep, "read restored note"))
	section(b, "7. Tenant isolation (RLS under role "+AppRole+": not superuser, not owner, no BYPASSRLS)")
	fmt.Fprintf(b, "Globex reads Acme's note → %d, updates it → %d; Acme reads Globex's note → %d. The rows exist; the policy hides them.\n",
		stepStatus(rep, "Globex reads Acme's note"), stepStatus(rep, "Globex updates Acme's note"),
		stepStatus(rep, "Acme reads Globex's note"))
}

// writeAudit counts the audit records by operation and quotes the last
// one of each kind other than create.
func writeAudit(b *strings.Builder, lines []string) {
	section(b, "10. Audit trail (observe's audit sink via repo.WithAuditor; "+SensitiveColumn+" masked)")
	counts := map[string]int{}
	last := map[string]string{}
	for _, l := range lines {
		var r struct {
			Operation string `json:"operation"`
		}
		if json.Unmarshal([]byte(l), &r) == nil {
			counts[r.Operation]++
			last[r.Operation] = l
		}
	}
	for _, op := range slices.Sorted(maps.Keys(counts)) {
		fmt.Fprintf(b, "  %-12s %d record(s)\n", op, counts[op])
	}
	for _, op := range []string{"update", "soft_delete", "restore"} {
		if l, ok := last[op]; ok {
			fmt.Fprintf(b, "  %.300s\n", l)
		}
	}
}

// stepStatus returns the status of the first step called name (0: none).
func stepStatus(rep *Report, name string) int {
	for _, s := range rep.Steps {
		if s.Name == name {
			return s.Status
		}
	}
	return 0
}

func firstOr0(ids []int64) int64 {
	if len(ids) == 0 {
		return 0
	}
	return ids[0]
}

// expvarQueries is the part of observe's expvar value the excerpt shows.
type expvarQueries struct {
	Queries map[string]map[string]struct {
		Count   int64   `json:"count"`
		Seconds float64 `json:"seconds"`
	} `json:"queries"`
	Errors map[string]int64 `json:"errors"`
}

// excerpt summarizes the expvar value: calls and time per operation and
// outcome, and errors by SQLSTATE class.
func excerpt(raw []byte) string {
	var v expvarQueries
	if err := json.Unmarshal(raw, &v); err != nil {
		return fmt.Sprintf("unreadable metrics: %v", err)
	}
	var lines []string
	for _, op := range slices.Sorted(maps.Keys(v.Queries)) {
		for _, outcome := range slices.Sorted(maps.Keys(v.Queries[op])) {
			q := v.Queries[op][outcome]
			lines = append(lines, fmt.Sprintf("queries  %-8s %-8s %4d calls %8.3fs", op, outcome, q.Count, q.Seconds))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(v.Errors)) {
		lines = append(lines, fmt.Sprintf("errors   %-17s %4d", k, v.Errors[k]))
	}
	return strings.Join(lines, "\n")
}

func indent(s string) string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return "  (empty)\n"
	}
	return "  " + strings.ReplaceAll(s, "\n", "\n  ") + "\n"
}

// short abbreviates long paths (keyset tokens).
func short(path string) string {
	const maxPath = 28
	if len(path) <= maxPath {
		return path
	}
	return path[:maxPath-3] + "..."
}
