package notes

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/normkit/norm/pool"
)

// TestClientCarriesTenantAndLSN checks that the client sends the tenant,
// hands the last write position back with later requests and records
// each step's outcome.
func TestClientCarriesTenantAndLSN(t *testing.T) {
	var gotTenant, gotLSN []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotTenant = append(gotTenant, r.Header.Get(TenantHeader))
		gotLSN = append(gotLSN, r.Header.Get(LSNHeader))
		if r.Method == http.MethodPost {
			w.Header().Set(LSNHeader, "0/ABC")
			writeJSON(w, http.StatusCreated, map[string]int{"id": 7})
			return
		}
		w.Header().Set(ServedByHeader, pool.EndpointReplica)
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not found"})
	}))
	defer srv.Close()
	c := NewClient(srv.URL, srv.Client())
	var created struct{ ID int }
	if _, err := c.Do(t.Context(), "create", "POST", "/x", 3, map[string]string{"a": "b"}, http.StatusCreated, &created); err != nil {
		t.Fatal(err)
	}
	st, err := c.Do(t.Context(), "read", "GET", "/x/7", 0, nil, http.StatusOK, nil)
	if err != nil {
		t.Fatal(err)
	}
	if created.ID != 7 {
		t.Errorf("decoded id %d, want 7", created.ID)
	}
	if gotTenant[0] != "3" || gotTenant[1] != "" {
		t.Errorf("tenant headers %q, want [3 \"\"]", gotTenant)
	}
	if gotLSN[0] != "" || gotLSN[1] != "0/ABC" {
		t.Errorf("LSN headers %q, want [\"\" 0/ABC]", gotLSN)
	}
	if st.OK() || st.Status != http.StatusNotFound || st.ServedBy != pool.EndpointReplica {
		t.Errorf("read step %+v, want a failed 404 served by the replica", st)
	}
	if bad := c.Failed(); len(bad) != 1 || bad[0].Name != "read" || len(c.Steps) != 2 {
		t.Errorf("Failed() = %+v of %d steps, want the read only", bad, len(c.Steps))
	}
}

func TestClientTransportError(t *testing.T) {
	c := NewClient("http://127.0.0.1:1", nil)
	if _, err := c.Do(t.Context(), "x", "GET", "/", 0, nil, http.StatusOK, nil); err == nil {
		t.Error("a request to a closed port returned no error")
	}
	if _, err := c.Do(t.Context(), "x", "GET", "/", 0, func() {}, http.StatusOK, nil); err == nil {
		t.Error("an unencodable body returned no error")
	}
}
