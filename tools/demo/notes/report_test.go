package notes

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/normkit/norm/pool"
)

func TestWriteReport(t *testing.T) {
	rep := &Report{
		Addr:           "127.0.0.1:1",
		ChangePlan:     "Plan: 1 step(s)\n",
		OnlinePlan:     "Plan: 1 step(s), online mode\n",
		ChangeSeverity: "unsafe",
		Steps: []Step{
			{Name: "stale update at the same version", Method: "PUT", Path: "/notes/2", Tenant: 1, Want: 409, Status: 409},
			{Name: "read deleted note", Method: "GET", Path: "/notes/3", Tenant: 1, Want: 404, Status: 200, ServedBy: pool.EndpointReplica, Body: []byte(`{"id":3}`)},
		},
		Transcript: &Transcript{Pages: [][]string{{"B", "A"}}, Metrics: []byte(`{"queries":{"select":{"ok":{"count":3,"seconds":0.5}}},"errors":{"select 22":1}}`)},
		SlowLog:    []string{`{"message":"slow query"}`},
		Shutdown:   3 * time.Millisecond,
	}
	var out bytes.Buffer
	if err := WriteReport(&out, rep); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"== 1. Migrations applied", "409 PUT", "FAILED, want 404", "read on replica", "page 1: B, A",
		"second 409", "worst hazard: unsafe", "online mode", `"slow query"`,
		"queries  select   ok          3 calls", "errors   select 22", "gracefully in 3ms",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

func TestExcerptOfBadMetrics(t *testing.T) {
	if got := excerpt([]byte("{")); !strings.Contains(got, "unreadable metrics") {
		t.Errorf("excerpt of bad JSON = %q", got)
	}
}
