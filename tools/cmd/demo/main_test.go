package main

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestDemo runs the whole demo as make demo does — its own cluster, the
// service, the script, the report, the shutdown — and checks what the
// command adds: the cluster started and stopped, every step passed and the
// timing printed. The report's sections are checked in e2e/demo.
func TestDemo(t *testing.T) {
	t.Setenv("NORM_TEST_DATABASE_URL", "")
	var out bytes.Buffer
	if err := run(&out); err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	for _, want := range []string{"pgtest: starting replica", "Migrations applied", "Stopping PostgreSQL", "Done in"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "FAILED") {
		t.Errorf("demo output shows a failed step:\n%s", out.String())
	}
	dir := clusterDir(out.String())
	if dir == "" {
		t.Fatalf("demo output does not name the cluster directory:\n%s", out.String())
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("cluster directory %s left behind (stat: %v)", dir, err)
	}
}

// clusterDir returns the temporary directory pgtest reported for initdb.
func clusterDir(out string) string {
	m := regexp.MustCompile(`pgtest: initdb (\S+)/primary`).FindStringSubmatch(out)
	if m == nil {
		return ""
	}
	return m[1]
}
