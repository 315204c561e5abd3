package notes

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/normkit/norm/repo"
	"github.com/normkit/norm/rlsutil"
	"github.com/normkit/norm/sqlb"
)

func TestStatusOf(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{fmt.Errorf("find: %w", repo.ErrNotFound), http.StatusNotFound},
		{fmt.Errorf("update: %w", repo.ErrStale), http.StatusConflict},
		{repo.ErrInvalid, http.StatusBadRequest},
		{fmt.Errorf("page: %w", sqlb.ErrCursor), http.StatusBadRequest},
		{&repo.ConstraintError{}, http.StatusConflict},
		{errors.New("connection reset"), http.StatusInternalServerError},
	}
	for _, tt := range tests {
		if got := statusOf(tt.err); got != tt.want {
			t.Errorf("statusOf(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}

func TestWithTenant(t *testing.T) {
	tests := []struct {
		header string
		want   int
	}{
		{"", http.StatusBadRequest},
		{"abc", http.StatusBadRequest},
		{"0", http.StatusBadRequest},
		{"-3", http.StatusBadRequest},
		{"1; DROP TABLE notes", http.StatusBadRequest},
		{"42", http.StatusOK},
	}
	for _, tt := range tests {
		var tenant int64
		var settings rlsutil.Settings
		h := withTenant(func(w http.ResponseWriter, r *http.Request) {
			tenant, settings = tenantOf(r.Context()), rlsutil.SettingsFromContext(r.Context())
			w.WriteHeader(http.StatusOK)
		})
		req := httptest.NewRequest("GET", "/notes", nil)
		if tt.header != "" {
			req.Header.Set(TenantHeader, tt.header)
		}
		rec := httptest.NewRecorder()
		h(rec, req)
		if rec.Code != tt.want {
			t.Errorf("%s %q: status %d, want %d", TenantHeader, tt.header, rec.Code, tt.want)
		}
		if tt.want == http.StatusOK && (tenant != 42 || settings.Role != AppRole || settings.Vars[rlsutil.TenantSetting] != "42") {
			t.Errorf("%s %q: ctx has tenant %d, settings %+v; want 42 as %s", TenantHeader, tt.header, tenant, settings, AppRole)
		}
	}
}

func TestPathIDAndLSN(t *testing.T) {
	ids := map[string]bool{"1": true, "9007199254740993": true, "0": false, "-1": false, "x": false, "1.5": false}
	for v, ok := range ids {
		req := httptest.NewRequest("GET", "/notes/"+v, nil)
		req.SetPathValue("id", v)
		if _, err := pathID(req); (err == nil) != ok {
			t.Errorf("pathID(%q) error %v, want ok=%v", v, err, ok)
		}
	}
	lsns := map[string]bool{"": true, "0/3A1B2C8": true, "16/b374d848": true, "0/0'; --": false, "nope": false, "1/2/3": false}
	for v, ok := range lsns {
		req := httptest.NewRequest("GET", "/notes", nil)
		req.Header.Set(LSNHeader, v)
		if _, err := minLSN(req); (err == nil) != ok {
			t.Errorf("minLSN(%q) error %v, want ok=%v", v, err, ok)
		}
	}
}
