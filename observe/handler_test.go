package observe

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHandler(t *testing.T) {
	t.Parallel()
	metrics := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "norm_db_up 1\n")
	})
	tests := []struct {
		name     string
		cfg      HandlerConfig
		path     string
		status   int
		contains string
	}{
		{"metrics", HandlerConfig{Metrics: metrics}, "/metrics", 200, "norm_db_up 1"},
		{"no metrics handler", HandlerConfig{}, "/metrics", 404, ""},
		{"expvar", HandlerConfig{}, "/debug/vars", 200, `"memstats"`},
		{"expvar off", HandlerConfig{NoExpvar: true}, "/debug/vars", 404, ""},
		{"healthy by default", HandlerConfig{}, "/healthz", 200, "ok"},
		{"health check passes", HandlerConfig{Health: func(context.Context) error { return nil }}, "/healthz", 200, "ok"},
		{"health check fails without detail", HandlerConfig{Health: func(context.Context) error {
			return errors.New("dial tcp 10.0.0.1:5432: password=secret")
		}}, "/healthz", 503, "unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := httptest.NewRecorder()
			Handler(tt.cfg).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tt.path, nil))
			if rec.Code != tt.status || !strings.Contains(rec.Body.String(), tt.contains) {
				t.Errorf("GET %s = %d %q, want %d containing %q", tt.path, rec.Code, rec.Body.String(), tt.status, tt.contains)
			}
			if strings.Contains(rec.Body.String(), "secret") {
				t.Errorf("response leaks the health error: %q", rec.Body.String())
			}
		})
	}
}

func TestHandlerHealthDeadline(t *testing.T) {
	t.Parallel()
	var hasDeadline bool
	h := Handler(HandlerConfig{Health: func(ctx context.Context) error {
		_, hasDeadline = ctx.Deadline()
		return nil
	}})
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if !hasDeadline {
		t.Error("health check ran without a deadline")
	}
}
