package migrate

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestHazardCatalogHasPlannerCodes: every hazard code the planner's
// sources use is in the one catalog, with a severity and a safe
// alternative, and no code is listed twice.
func TestHazardCatalogHasPlannerCodes(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, h := range HazardCatalog() {
		if seen[h.Code] {
			t.Errorf("code %q listed twice", h.Code)
		}
		seen[h.Code] = true
		if h.Severity < Info || h.Severity > Destructive || h.Safe == "" {
			t.Errorf("code %q: severity %v, safe %q", h.Code, h.Severity, h.Safe)
		}
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	used := regexp.MustCompile(`Code: "([a-z][a-z0-9-]+)"`)
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range used.FindAllStringSubmatch(string(src), -1) {
			n++
			if _, ok := LookupHazard(m[1]); !ok {
				t.Errorf("%s uses hazard code %q, which the catalog lacks", f, m[1])
			}
		}
	}
	if n < 15 {
		t.Errorf("found %d hazard codes in the planner's sources, want at least 15 (did the pattern break?)", n)
	}
	if _, ok := LookupHazard("no-such-code"); ok {
		t.Error("LookupHazard found an unknown code")
	}
}

func TestSeverityTextRoundTrip(t *testing.T) {
	t.Parallel()
	for _, s := range []Severity{Info, Warning, Unsafe, Destructive} {
		data, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var back Severity
		if err := json.Unmarshal(data, &back); err != nil || back != s {
			t.Errorf("%v → %s → %v, %v", s, data, back, err)
		}
	}
	var s Severity
	if err := json.Unmarshal([]byte(`"fatal"`), &s); err == nil {
		t.Error(`"fatal" was accepted as a severity`)
	}
}
