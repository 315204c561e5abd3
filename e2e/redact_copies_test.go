package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestRedactCopiesAreIdentical: the redaction rule has one implementation,
// observe/internal/redact; repo and pool, which may not import observe,
// hold copies made by `go generate` there. A copy that drifted would let
// one module write what another redacts.
func TestRedactCopiesAreIdentical(t *testing.T) {
	t.Parallel()
	for _, file := range []string{"redact.go", "redact_test.go"} {
		orig, err := os.ReadFile(filepath.Join("..", "observe", "internal", "redact", file))
		if err != nil {
			t.Fatal(err)
		}
		for _, module := range []string{"repo", "pool"} {
			cp, err := os.ReadFile(filepath.Join("..", module, "internal", "redact", file))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(orig, cp) {
				t.Errorf("%s/internal/redact/%s differs from observe's: run go generate ./internal/redact/ in %s", module, file, module)
			}
		}
	}
}
