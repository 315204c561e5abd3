package quickstart

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestDocsShowThisCode keeps docs/quickstart.md and this package in step:
// every marked block of quickstart_test.go appears in the page verbatim.
func TestDocsShowThisCode(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("quickstart_test.go")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile("../../docs/quickstart.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile(`(?s)// quickstart: ([^\n]*)\n(.*?)// quickstart: end`).FindAllStringSubmatch(string(src), -1)
	if len(blocks) != 3 {
		t.Fatalf("found %d quickstart blocks, want 3", len(blocks))
	}
	for _, b := range blocks {
		if !strings.Contains(string(doc), strings.TrimSpace(b[2])) {
			t.Errorf("docs/quickstart.md does not show the %q code of quickstart_test.go", b[1])
		}
	}
}
