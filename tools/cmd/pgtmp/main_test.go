package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestUpDsnDown drives the command as make db-up / db-down do.
func TestUpDsnDown(t *testing.T) {
	t.Setenv("NORM_TEST_DATABASE_URL", "")
	parent := t.TempDir()
	for _, d := range []string{parent, filepath.Dir(parent)} { // reachable by the postgres OS user
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	dir := filepath.Join(parent, ".pgdata")
	t.Cleanup(func() { _ = run([]string{"down", "-dir", dir}, new(bytes.Buffer), new(bytes.Buffer)) })

	var up, dsn, stderr bytes.Buffer
	if err := run([]string{"up", "-dir", dir}, &up, &stderr); err != nil {
		t.Fatalf("up: %v\n%s", err, stderr.String())
	}
	if err := run([]string{"dsn", "-dir", dir}, &dsn, &stderr); err != nil {
		t.Fatalf("dsn: %v", err)
	}
	if strings.TrimSpace(up.String()) != strings.TrimSpace(dsn.String()) {
		t.Errorf("up printed %q, dsn printed %q", up.String(), dsn.String())
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, strings.TrimSpace(up.String()))
	if err != nil {
		t.Fatalf("connect to the DSN printed by up: %v", err)
	}
	conn.Close(ctx)

	if err := run([]string{"down", "-dir", dir}, &bytes.Buffer{}, &stderr); err != nil {
		t.Fatalf("down: %v", err)
	}
	if _, err := pgx.Connect(ctx, strings.TrimSpace(up.String())); err == nil {
		t.Error("server still answers after down")
	}
	if _, err := os.Stat(filepath.Join(dir, "primary", "PG_VERSION")); err != nil {
		t.Errorf("down removed the data directory: %v", err)
	}
}

func TestBadCommand(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{nil, {"sideways"}} {
		err := run(args, new(bytes.Buffer), new(bytes.Buffer))
		if err == nil || !strings.Contains(err.Error(), "up") {
			t.Errorf("run(%q) = %v, want an error listing the commands", args, err)
		}
	}
}
