package demo

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/normkit/norm/tools/demo/notes"
)

// checkBadInput reopens the service on the demo's database (migrating
// again must change nothing) and sends malformed requests: each gets a
// clear 4xx, never a 500 or a panic.
func checkBadInput(t *testing.T, dsn, replicaDSN string, rep *notes.Report) {
	ctx := t.Context()
	svc, err := notes.Open(ctx, notes.Config{PrimaryDSN: dsn, ReplicaDSN: replicaDSN})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := svc.Shutdown(ctx); err != nil {
			t.Error(err)
		}
	}()
	again, err := notes.Migrate(ctx, svc.DB())
	if err != nil {
		t.Fatal(err)
	}
	if again.AutoPlan != "Plan: no changes.\n" || len(again.Files) != 0 {
		t.Errorf("second migration was not a no-op: plan %q, files %+v", again.AutoPlan, again.Files)
	}
	srv := httptest.NewServer(svc.Handler())
	defer srv.Close()
	acme := rep.Transcript.Acme
	tests := []struct {
		name, method, path, body string
		tenant                   int64
		header                   [2]string
		want                     int
		wantErr                  string
	}{
		{"no tenant", "GET", "/notes", "", 0, [2]string{}, http.StatusBadRequest, notes.TenantHeader},
		{"bad id", "GET", "/notes/abc", "", acme, [2]string{}, http.StatusBadRequest, "positive integer"},
		{"bad lsn", "GET", "/notes/1", "", acme, [2]string{notes.LSNHeader, "0/0'; DROP TABLE notes; --"}, http.StatusBadRequest, "malformed"},
		{"forged cursor", "GET", "/notes?page=eyJ4IjoxfQ.AAAA", "", acme, [2]string{}, http.StatusBadRequest, "cursor"},
		{"limit too large", "GET", "/notes?limit=100000", "", acme, [2]string{}, http.StatusBadRequest, "limit"},
		{"unknown field", "POST", "/notes", `{"title":"x","author_id":1,"tenant":2,"admin":true}`, acme, [2]string{}, http.StatusBadRequest, "unknown field"},
		{"not json", "POST", "/notes", `{"title":`, acme, [2]string{}, http.StatusBadRequest, "bad request body"},
		{"empty title", "POST", "/notes", `{"title":"","author_id":1}`, acme, [2]string{}, http.StatusBadRequest, "required"},
		{"missing note", "GET", "/notes/999999", "", acme, [2]string{}, http.StatusNotFound, "not found"},
		{"no search term", "GET", "/search", "", acme, [2]string{}, http.StatusBadRequest, "missing q"},
	}
	for _, tt := range tests {
		req, err := http.NewRequestWithContext(ctx, tt.method, srv.URL+tt.path, strings.NewReader(tt.body))
		if err != nil {
			t.Fatal(err)
		}
		if tt.tenant != 0 {
			req.Header.Set(notes.TenantHeader, itoa(tt.tenant))
		}
		if tt.header[0] != "" {
			req.Header.Set(tt.header[0], tt.header[1])
		}
		status, body, err := send(req)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if status != tt.want || !strings.Contains(body, tt.wantErr) {
			t.Errorf("%s: %d %s, want %d with %q", tt.name, status, body, tt.want, tt.wantErr)
		}
	}
	if errs := svc.Errors(); len(errs) > 0 {
		t.Errorf("bad input caused internal errors: %v", errs)
	}
}
