package demo

import (
	"bytes"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/normkit/norm/pool"
	"github.com/normkit/norm/tools/demo/notes"
)

// wantSteps is the script's conversation: every step, in order, with the
// status it must get.
var wantSteps = []struct {
	name   string
	status int
}{
	{"create tenant Acme", http.StatusCreated},
	{"create tenant Globex", http.StatusCreated},
	{"create user in Acme", http.StatusCreated},
	{"create user in Globex", http.StatusCreated},
	{"create note in Acme", http.StatusCreated},
	{"create note in Acme", http.StatusCreated},
	{"create note in Acme", http.StatusCreated},
	{"create note in Acme", http.StatusCreated},
	{"create note in Acme", http.StatusCreated},
	{"create note in Globex", http.StatusCreated},
	{"comment on a note", http.StatusCreated},
	{"comment on a note", http.StatusCreated},
	{"read note with comments (preload)", http.StatusOK},
	{"keyset page", http.StatusOK},
	{"keyset page", http.StatusOK},
	{"keyset page", http.StatusOK},
	{"update at the version read", http.StatusOK},
	{"stale update at the same version", http.StatusConflict},
	{"soft delete", http.StatusNoContent},
	{"read deleted note", http.StatusNotFound},
	{"restore", http.StatusOK},
	{"read restored note", http.StatusOK},
	{"Globex reads Acme's note", http.StatusNotFound},
	{"Globex updates Acme's note", http.StatusNotFound},
	{"Acme reads Globex's note", http.StatusNotFound},
	{"slow search", http.StatusOK},
	{"pool readiness", http.StatusOK},
	{"metrics page", http.StatusOK},
}

// TestDemo runs the service and the scripted client once (the
// application role is cluster-wide, so one run per cluster) and checks
// every outcome the report narrates.
func TestDemo(t *testing.T) {
	d := cluster.NewDatabase(t)
	rep, err := notes.Run(t.Context(), notes.Config{PrimaryDSN: d.DSN(), ReplicaDSN: d.ReplicaDSN(t)})
	if err != nil {
		t.Fatalf("notes.Run: %v", err)
	}
	t.Run("steps", func(t *testing.T) { checkSteps(t, rep) })
	t.Run("reads name their endpoint", func(t *testing.T) { checkEndpoints(t, rep) })
	t.Run("preload and keyset pages", func(t *testing.T) { checkPages(t, rep) })
	t.Run("migrations", func(t *testing.T) { checkMigrations(t, rep) })
	t.Run("model change plan", func(t *testing.T) { checkChangePlan(t, rep) })
	t.Run("slow-query log is masked", func(t *testing.T) { checkSlowLog(t, rep) })
	t.Run("audit", func(t *testing.T) { checkAudit(t, rep) })
	t.Run("metrics", func(t *testing.T) { checkMetrics(t, rep) })
	t.Run("rls hides existing rows", func(t *testing.T) { checkRLS(t, d.Conn(t), rep) })
	t.Run("shut down", func(t *testing.T) { checkShutdown(t, rep) })
	t.Run("report", func(t *testing.T) { checkReport(t, rep) })
	t.Run("bad input", func(t *testing.T) { checkBadInput(t, d.DSN(), d.ReplicaDSN(t), rep) })
}

func checkSteps(t *testing.T, rep *notes.Report) {
	if len(rep.Steps) != len(wantSteps) {
		t.Fatalf("%d steps ran, want %d", len(rep.Steps), len(wantSteps))
	}
	for i, w := range wantSteps {
		s := rep.Steps[i]
		if s.Name != w.name || s.Status != w.status || !s.OK() {
			t.Errorf("step %d: %q got %d (script wanted %d), want %q with %d; body %s", i+1, s.Name, s.Status, s.Want, w.name, w.status, s.Body)
		}
	}
	for _, s := range rep.Steps {
		if s.Name == "stale update at the same version" && !strings.Contains(string(s.Body), "stale") {
			t.Errorf("409 body %s does not say the version was stale", s.Body)
		}
	}
	if len(rep.Errors) > 0 {
		t.Errorf("the service answered internal errors: %v", rep.Errors)
	}
}

func checkEndpoints(t *testing.T, rep *notes.Report) {
	replica := 0
	for _, s := range rep.Steps {
		isRead := s.Method == http.MethodGet && s.Path != "/internal/debug/vars" && s.Path != "/readyz"
		switch {
		case isRead && s.ServedBy != pool.EndpointPrimary && s.ServedBy != pool.EndpointReplica:
			t.Errorf("read %q reported endpoint %q", s.Name, s.ServedBy)
		case !isRead && s.ServedBy != "":
			t.Errorf("%s %s reported a read endpoint %q", s.Method, s.Path, s.ServedBy)
		}
		if s.ServedBy == pool.EndpointReplica {
			replica++
		}
	}
	if replica == 0 {
		t.Error("no read was served by the replica")
	}
	h := rep.Transcript.Health
	if h.Status != "ok" || len(h.Endpoints) != 2 || !h.Endpoints[0].Up || h.Endpoints[0].InRecovery || !h.Endpoints[1].Up || !h.Endpoints[1].InRecovery {
		t.Errorf("pool health %+v, want ok with an up primary and an up replica in recovery", h)
	}
}

func checkPages(t *testing.T, rep *notes.Report) {
	tr := rep.Transcript
	if tr.Comments != 2 {
		t.Errorf("the note was read with %d comments, want 2", tr.Comments)
	}
	want := [][]string{{"Roadmap", "Budget"}, {"Offsite", "Hiring"}, {"Quarterly plan"}}
	if !slices.EqualFunc(tr.Pages, want, slices.Equal[[]string]) {
		t.Errorf("keyset walk %q, want %q (every note once, newest first, Globex's never)", tr.Pages, want)
	}
}

func checkMigrations(t *testing.T, rep *notes.Report) {
	for _, table := range []string{"tenants", "users", "notes", "comments"} {
		if !strings.Contains(rep.Migration.AutoPlan, `CREATE TABLE "public"."`+table+`"`) {
			t.Errorf("auto-migration plan does not create %s:\n%s", table, rep.Migration.AutoPlan)
		}
	}
	if len(rep.Migration.Files) != 1 || rep.Migration.Files[0].Version != 1 || rep.Migration.Files[0].Name != "tenant_isolation" {
		t.Errorf("file migrations applied: %+v, want 0001 tenant_isolation", rep.Migration.Files)
	}
}

func checkChangePlan(t *testing.T, rep *notes.Report) {
	if rep.ChangeSeverity != "unsafe" {
		t.Errorf("model change severity %q, want unsafe", rep.ChangeSeverity)
	}
	for _, want := range []string{"not-null-no-default", "blocking-index", `ADD COLUMN "pinned" boolean NOT NULL`} {
		if !strings.Contains(rep.ChangePlan, want) {
			t.Errorf("default plan lacks %q:\n%s", want, rep.ChangePlan)
		}
	}
	if !strings.Contains(rep.OnlinePlan, "CREATE INDEX CONCURRENTLY") || strings.Contains(rep.OnlinePlan, "blocking-index") {
		t.Errorf("online plan does not build the index concurrently:\n%s", rep.OnlinePlan)
	}
}

func checkSlowLog(t *testing.T, rep *notes.Report) {
	// Other statements may be slow on a loaded machine too; the search
	// must be there, and no line may show the search term in clear.
	var search []string
	for _, line := range rep.SlowLog {
		if strings.Contains(line, "pg_sleep($2)") {
			search = append(search, line)
		}
		if strings.Contains(strings.ToLower(line), strings.ToLower(notes.SearchTerm)) {
			t.Errorf("slow-query line shows the search term in clear: %s", line)
		}
	}
	if len(search) != 1 {
		t.Fatalf("slow-query log has %d search lines, want 1:\n%s", len(search), strings.Join(rep.SlowLog, "\n"))
	}
	for _, want := range []string{`"slow":true`, `"message":"slow query"`, `"args":["text(9)","float8"]`, `"endpoint":"`} {
		if !strings.Contains(search[0], want) {
			t.Errorf("slow-query line lacks %s: %s", want, search[0])
		}
	}
}

func checkMetrics(t *testing.T, rep *notes.Report) {
	m := string(rep.Transcript.Metrics)
	for _, want := range []string{`"queries"`, `"select"`, `"insert"`, `"ok"`} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s: %s", want, m)
		}
	}
}

// checkReport asserts the narrated report has every section the issue
// asks for.
func checkReport(t *testing.T, rep *notes.Report) {
	var out bytes.Buffer
	if err := notes.WriteReport(&out, rep); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Migrations applied", "SQL-file migration 1 tenant_isolation", "Requests served", "read on replica",
		"Keyset page walk", "page 3: Quarterly plan", "409 PUT", "Soft delete and restore", "Tenant isolation",
		"A model change", "Online form", "Slow-query log", "text(9)", "Metrics page excerpt", "queries  select",
		"Audit trail", "soft_delete  1 record(s)", "shut down gracefully",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "FAILED") {
		t.Errorf("report shows a failed step:\n%s", out.String())
	}
}
