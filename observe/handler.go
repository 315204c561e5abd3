package observe

import (
	"context"
	"expvar"
	"net/http"
	"time"
)

// HandlerConfig configures Handler.
type HandlerConfig struct {
	// Metrics serves /metrics, typically prom.Handler(registry) from
	// observe/prom for the Prometheus text format. Default: /metrics is
	// not served (404).
	Metrics http.Handler

	// Health, when set, is called by /healthz with a context bounded by
	// HealthTimeout; nil means healthy. A typical check pings the pool.
	// Default: /healthz always answers 200.
	Health func(ctx context.Context) error

	// HealthTimeout bounds one Health call. Default: 2s.
	HealthTimeout time.Duration

	// NoExpvar turns off /debug/vars. Default: served, with everything
	// published to expvar (including an Expvar metrics adapter).
	NoExpvar bool
}

// Handler returns an http.Handler ready to mount on an internal listener:
// GET /metrics (cfg.Metrics), GET /debug/vars (the expvar page) and
// GET /healthz (200 "ok", or 503 with no error text, since a health
// error can quote connection details). Mount it under a prefix with
// http.StripPrefix.
func Handler(cfg HandlerConfig) http.Handler {
	mux := http.NewServeMux()
	if cfg.Metrics != nil {
		mux.Handle("GET /metrics", cfg.Metrics)
	}
	if !cfg.NoExpvar {
		mux.Handle("GET /debug/vars", expvar.Handler())
	}
	mux.HandleFunc("GET /healthz", health(cfg))
	return mux
}

func health(cfg HandlerConfig) http.HandlerFunc {
	timeout := cfg.HealthTimeout
	if timeout <= 0 {
		timeout = 2 * time.Second
	}
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if cfg.Health != nil {
			ctx, cancel := context.WithTimeout(r.Context(), timeout)
			defer cancel()
			if err := cfg.Health(ctx); err != nil {
				w.WriteHeader(http.StatusServiceUnavailable)
				_, _ = w.Write([]byte("unavailable\n"))
				return
			}
		}
		_, _ = w.Write([]byte("ok\n"))
	}
}
