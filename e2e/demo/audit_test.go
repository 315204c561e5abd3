package demo

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/normkit/norm/tools/demo/notes"
)

// checkAudit asserts one audit record per committed note change — none
// for the rejected stale update or the other tenant's blocked one — with
// the tenant as actor and note bodies masked.
func checkAudit(t *testing.T, rep *notes.Report) {
	counts := map[string]int{}
	for _, line := range rep.AuditLog {
		var r struct {
			Actor     string `json:"actor"`
			Operation string `json:"operation"`
			Table     string `json:"table"`
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("audit line is not JSON: %v: %s", err, line)
		}
		counts[r.Operation]++
		if r.Table != "notes" || !strings.HasPrefix(r.Actor, "tenant ") {
			t.Errorf("audit record for table %q by %q, want notes by a tenant: %s", r.Table, r.Actor, line)
		}
		if r.Operation == "soft_delete" && r.Actor != fmt.Sprintf("tenant %d", rep.Transcript.Acme) {
			t.Errorf("soft delete audited for %q, want Acme", r.Actor)
		}
		if strings.Contains(line, notes.SecretBody) || !strings.Contains(line, `"body":"text(`) {
			t.Errorf("audit line does not mask %s: %s", notes.SensitiveColumn, line)
		}
	}
	want := map[string]int{"create": 6, "update": 1, "soft_delete": 1, "restore": 1}
	for op, n := range want {
		if counts[op] != n {
			t.Errorf("%d %s record(s), want %d (all: %v)", counts[op], op, n, counts)
		}
	}
	if len(counts) != len(want) {
		t.Errorf("audited operations %v, want exactly %v", counts, want)
	}
}
