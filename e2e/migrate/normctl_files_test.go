package migrate_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/normkit/norm/migrate/versioned"
)

// filesNormctl builds tools/cmd/normctl once for the test.
func filesNormctl(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "normctl")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/normkit/norm/tools/cmd/normctl")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build normctl: %v\n%s", err, out)
	}
	return bin
}

// filesExec runs normctl with DATABASE_URL set and returns the exit
// status, stdout and stderr.
func filesExec(t *testing.T, bin, dsn string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.CommandContext(filesCtx(t), bin, args...)
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dsn)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		return exitErr.ExitCode(), out.String(), errOut.String()
	case err != nil:
		t.Fatalf("run normctl: %v", err)
	}
	return 0, out.String(), errOut.String()
}

func TestFilesNormctlBinary(t *testing.T) {
	t.Parallel()
	bin := filesNormctl(t)
	db := cluster.NewDatabase(t)
	dir := t.TempDir()

	code, out, errOut := filesExec(t, bin, db.DSN(), "migrate", "create", "widgets", "--dir", dir)
	if code != 0 || !strings.Contains(out, "0001_widgets.up.sql") {
		t.Fatalf("create = %d %q %q", code, out, errOut)
	}
	up := filepath.Join(dir, "0001_widgets.up.sql")
	if err := os.WriteFile(up, []byte("CREATE TABLE widgets (id int);\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut = filesExec(t, bin, db.DSN(), "migrate", "up", "--dir", dir); code != 0 || !strings.Contains(out, "1 widgets") {
		t.Fatalf("up = %d %q %q", code, out, errOut)
	}
	code, out, _ = filesExec(t, bin, db.DSN(), "migrate", "status", "--json", "--dir", dir)
	var sts []versioned.MigrationStatus
	if code != 0 || json.Unmarshal([]byte(out), &sts) != nil || len(sts) != 1 || sts[0].State != versioned.StateApplied {
		t.Fatalf("status --json = %d %q", code, out)
	}
	// Editing an applied file is drift: up fails with exit 1.
	if err := os.WriteFile(up, []byte("CREATE TABLE widgets (id bigint);\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut = filesExec(t, bin, db.DSN(), "migrate", "up", "--dir", dir); code != 1 || !strings.Contains(errOut, "drift") {
		t.Fatalf("up with drift = %d %q, want exit 1", code, errOut)
	}
	// status reports it with exit 3, the JSON still printed.
	if code, out, errOut = filesExec(t, bin, db.DSN(), "migrate", "status", "--dir", dir); code != 3 ||
		!strings.Contains(out, "drift") || !strings.Contains(errOut, "version 1 (0001_widgets.up.sql) has drift") {
		t.Fatalf("status with drift = %d %q %q, want exit 3 naming version 1", code, out, errOut)
	}
	code, out, _ = filesExec(t, bin, db.DSN(), "migrate", "status", "--json", "--dir", dir)
	if code != 3 || json.Unmarshal([]byte(out), &sts) != nil || len(sts) != 1 || sts[0].State != versioned.StateDrift {
		t.Fatalf("status --json with drift = %d %q, want exit 3 and the JSON", code, out)
	}
	if code, _, errOut = filesExec(t, bin, db.DSN(), "migrate", "baseline", "1", "--dir", dir); code != 0 {
		t.Fatalf("baseline = %d %q", code, errOut)
	}
	if code, out, errOut = filesExec(t, bin, db.DSN(), "migrate", "down", "--dir", dir); code != 0 || !strings.Contains(out, "down") {
		t.Fatalf("down = %d %q %q", code, out, errOut)
	}
	if code, _, errOut = filesExec(t, bin, db.DSN(), "migrate", "plan", "--check"); code != 1 || !strings.Contains(errOut, "Go models") {
		t.Fatalf("plan in normctl = %d %q, want exit 1 explaining models are needed", code, errOut)
	}
	if code, _, _ = filesExec(t, bin, db.DSN(), "version"); code != 1 {
		t.Fatalf("unknown top-level command = %d, want 1", code)
	}
}
