package prom_test

import (
	"fmt"
	"net/http"

	"github.com/normkit/norm/observe"
	"github.com/normkit/norm/observe/prom"
	"github.com/prometheus/client_golang/prometheus"
)

// Prometheus metrics for every traced call, served on /metrics next to
// the expvar page and a health check.
func ExampleNew() {
	reg := prometheus.NewRegistry()
	metrics, err := prom.New(reg, prom.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	tracer := observe.New(observe.Config{
		Observers: []observe.Observer{observe.MetricsObserver(metrics)},
	})
	_ = tracer // set as pgx ConnConfig.Tracer
	handler := observe.Handler(observe.HandlerConfig{Metrics: prom.Handler(reg)})
	mux := http.NewServeMux()
	mux.Handle("/", handler) // an internal listener
	metrics.Retry("select")  // pool's retry loop reports through the same value
	fmt.Println("ok")
	// Output: ok
}
