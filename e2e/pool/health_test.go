package pool

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	normpool "github.com/normkit/norm/pool"
)

func TestHealthReportAndHandler(t *testing.T) {
	t.Parallel()
	db, d := openReplicated(t, cluster, "", normpool.Config{})
	ctx := testCtx(t)
	if err := db.Ping(ctx); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	rep, err := db.Health(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Status != "ok" || len(rep.Endpoints) != 2 {
		t.Fatalf("report = %+v, want ok with two endpoints", rep)
	}
	p, r := rep.Endpoints[0], rep.Endpoints[1]
	if p.Name != "primary" || !p.Up || p.InRecovery || p.Latency <= 0 || p.Breaker != normpool.BreakerClosed || p.Pool.Max != 10 {
		t.Errorf("primary line = %+v", p)
	}
	if r.Name != "replica[0]" || !r.Up || !r.InRecovery || r.LagSeconds < 0 || r.LagSeconds > 5 || time.Since(r.CheckedAt) > time.Minute {
		t.Errorf("replica line = %+v", r)
	}

	srv := httptest.NewServer(db.HealthHandler())
	defer srv.Close()
	get := func(query ...string) (int, normpool.HealthReport, string) {
		url := srv.URL
		if len(query) > 0 {
			url += "?" + query[0]
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var raw json.RawMessage
		if err := json.NewDecoder(resp.Body).Decode(&raw); err != nil {
			t.Fatal(err)
		}
		var got normpool.HealthReport
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Fatalf("decode report: %v", err)
		}
		return resp.StatusCode, got, string(raw)
	}
	code, got, raw := get()
	if code != http.StatusOK || got.Status != "ok" || !strings.Contains(raw, `"breaker":"closed"`) ||
		got.Endpoints[1].Breaker != normpool.BreakerClosed || !got.Endpoints[1].InRecovery {
		t.Errorf("handler: %d %s", code, raw)
	}
	if strings.Contains(raw, "password") || strings.Contains(raw, d.DSN()) {
		t.Errorf("handler output exposes connection details: %s", raw)
	}
	if code, _, _ := get("probe=liveness"); code != http.StatusOK {
		t.Errorf("liveness while open: %d, want 200", code)
	}
	if err := db.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if code, got, _ := get(); code != http.StatusServiceUnavailable || got.Status != "closed" {
		t.Errorf("readiness after Shutdown: %d %q, want 503 closed", code, got.Status)
	}
	if code, _, _ := get("probe=liveness"); code != http.StatusServiceUnavailable {
		t.Errorf("liveness after Shutdown: %d, want 503", code)
	}
	if err := db.Ping(ctx); !errors.Is(err, normpool.ErrClosed) {
		t.Errorf("Ping after Shutdown = %v, want ErrClosed", err)
	}
}

func TestOpenFailsFastOnUnreachablePrimary(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// A port nothing listens on (the shared cluster's port + a large offset
	// would be a guess; 1 is privileged and closed here).
	_, err := normpool.Open(ctx, normpool.Config{ConnString: "postgres://app:hunter2@127.0.0.1:1/app?sslmode=disable",
		ConnectTimeout: 2 * time.Second})
	if err == nil {
		t.Fatal("Open succeeded without a server")
	}
	if !strings.Contains(err.Error(), "primary (127.0.0.1:1)") || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("Open error = %v, want it to name the primary and hide the password", err)
	}
	// A down replica is not fatal.
	d := cluster.NewDatabase(t)
	db, err := normpool.Open(ctx, normpool.Config{ConnString: d.DSN(),
		ReplicaConnStrings: []string{"postgres://app@127.0.0.1:1/app?sslmode=disable"}})
	if err != nil {
		t.Fatalf("Open with a down replica: %v", err)
	}
	defer db.Close()
	rep, err := db.Health(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Status != "degraded" || rep.Endpoints[1].Up || rep.Endpoints[1].Error == "" {
		t.Errorf("report = %+v, want degraded with the replica down and its error", rep)
	}
	if onReplica(ctx, t, db, "SELECT pg_is_in_recovery()") {
		t.Error("read went to a replica although the only one is down")
	}
}
