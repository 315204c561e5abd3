package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestDemoReportsBothEndpoints(t *testing.T) {
	t.Setenv("NORM_TEST_DATABASE_URL", "")
	var out bytes.Buffer
	if err := run(&out); err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	for _, want := range []string{"primary: primary (read-write)", "replica: hot standby (read-only)", "PostgreSQL ", "Stopping PostgreSQL"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo output lacks %q:\n%s", want, out.String())
		}
	}
}
