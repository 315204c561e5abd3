package main

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"strings"
	"testing"
)

const sqlbPath = "github.com/normkit/norm/sqlb"

func TestCheckVersion(t *testing.T) {
	breaking := apiChange{Incompatible: []string{"Select: removed"}}
	added := apiChange{Compatible: []string{"Merge: added"}}
	none := apiChange{}
	tests := []struct {
		name, path, prev, next string
		change                 apiChange
		err                    string // "" when allowed
	}{
		{"first release", sqlbPath, "", "v0.1.0", none, ""},
		{"v0 patch without API change", sqlbPath, "v0.1.0", "v0.1.1", none, ""},
		{"v0 patch with an addition", sqlbPath, "v0.1.0", "v0.1.1", added, ""},
		{"v0 breaking change as a patch", sqlbPath, "v0.1.0", "v0.1.1", breaking, "needs a minor bump"},
		{"v0 breaking change as a minor", sqlbPath, "v0.1.3", "v0.2.0", breaking, ""},
		{"v0 breaking change to v1", sqlbPath, "v0.9.0", "v1.0.0", breaking, ""},
		{"v1 addition as a patch", sqlbPath, "v1.2.0", "v1.2.1", added, "needs a minor bump"},
		{"v1 addition as a minor", sqlbPath, "v1.2.0", "v1.3.0", added, ""},
		{"v1 breaking change as a minor", sqlbPath, "v1.2.0", "v1.3.0", breaking, "needs a major bump"},
		{"v1 breaking change as v2 without /v2", sqlbPath, "v1.2.0", "v2.0.0", breaking, "needs the module path github.com/normkit/norm/sqlb/v2"},
		{"v2 with /v2 path", sqlbPath + "/v2", "v1.2.0", "v2.0.0", breaking, ""},
		{"v1 release of a /v2 path", sqlbPath + "/v2", "", "v1.0.0", none, "names major version v2"},
		{"not above the previous", sqlbPath, "v0.2.0", "v0.1.9", none, "not above"},
		{"same as the previous", sqlbPath, "v0.2.0", "v0.2.0", none, "not above"},
		{"pre-release", sqlbPath, "v0.1.0", "v0.2.0-rc.1", none, "not a release version"},
		{"short version", sqlbPath, "v0.1.0", "v0.2", none, "not a release version"},
		{"no v", sqlbPath, "v0.1.0", "0.2.0", none, "not a release version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkVersion(tt.path, tt.prev, tt.next, tt.change)
			switch {
			case tt.err == "" && err != nil:
				t.Errorf("checkVersion(%s, %s) = %v, want it allowed", tt.prev, tt.next, err)
			case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
				t.Errorf("checkVersion(%s, %s) = %v, want an error containing %q", tt.prev, tt.next, err, tt.err)
			}
		})
	}
}

func TestHighest(t *testing.T) {
	tags := []string{"sqlb/v0.1.0", "sqlb/v0.10.0", "sqlb/v0.9.1", "sqlb/v1.0.0-rc.1", "observe/prom/v0.3.0", "sqlbx/v9.0.0", "sqlb/notes"}
	if got := highest("sqlb/", tags); got != "v0.10.0" {
		t.Errorf("highest(sqlb/) = %q, want v0.10.0", got)
	}
	if got := highest("observe/", tags); got != "" {
		t.Errorf("highest(observe/) = %q, want none (observe/prom is another module)", got)
	}
	if got := highest("observe/prom/", tags); got != "v0.3.0" {
		t.Errorf("highest(observe/prom/) = %q", got)
	}
}

func TestSetRequire(t *testing.T) {
	const in = `module github.com/normkit/norm/repo

go 1.25.0

require (
	github.com/jackc/pgx/v5 v5.12.0
	github.com/normkit/norm/sqlb v0.1.0
)
`
	tests := []struct {
		name, path, version, want, err string
	}{
		{"bump", sqlbPath, "v0.2.0", strings.Replace(in, "sqlb v0.1.0", "sqlb v0.2.0", 1), ""},
		{"same version", sqlbPath, "v0.1.0", in, ""},
		{"not required", "github.com/normkit/norm/pool", "v0.2.0", "", "does not require"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := setRequire("repo/go.mod", []byte(in), tt.path, tt.version)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("setRequire error = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("setRequire =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestSetWorkReplace(t *testing.T) {
	const in = `go 1.26.0

use (
	./repo
	./sqlb
)

replace (
	github.com/normkit/norm/repo v0.1.0 => ./repo
	github.com/normkit/norm/sqlb v0.1.0 => ./sqlb
)
`
	got, err := setWorkReplace("go.work", []byte(in), sqlbPath, "v0.2.0", "./sqlb")
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(in, "sqlb v0.1.0 => ./sqlb", "sqlb v0.2.0 => ./sqlb", 1)
	if string(got) != want {
		t.Errorf("setWorkReplace =\n%s\nwant\n%s", got, want)
	}
}

// check type-checks one package from source (standard imports only).
func check(t *testing.T, src string) *types.Package {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	conf := types.Config{Importer: importer.Default()}
	p, err := conf.Check(sqlbPath, fset, []*ast.File{f}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCompareAPI(t *testing.T) {
	const base = "package sqlb\n\nfunc Select(cols ...string) string { return \"\" }\n"
	tests := []struct {
		name                     string
		next                     string
		incompatible, compatible int
		bump                     bumpKind // required after v0.1.0
	}{
		{"unchanged", base, 0, 0, bumpPatch},
		{"function added", base + "func Merge() {}\n", 0, 1, bumpPatch},
		{"function removed", "package sqlb\n", 1, 0, bumpMinor},
		{"signature changed", "package sqlb\n\nfunc Select(cols []string) string { return \"\" }\n", 1, 0, bumpMinor},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := compareAPI(sqlbPath, []*types.Package{check(t, base)}, []*types.Package{check(t, tt.next)})
			if len(c.Incompatible) != tt.incompatible || len(c.Compatible) != tt.compatible {
				t.Errorf("compareAPI = %+v, want %d breaking, %d compatible", c, tt.incompatible, tt.compatible)
			}
			if got := requiredBump("v0.1.0", c); got != tt.bump {
				t.Errorf("requiredBump = %s, want %s", got, tt.bump)
			}
		})
	}
}

func TestChangelogFallback(t *testing.T) {
	got := changelogFallback(apiChange{Incompatible: []string{"Select: removed"}, Compatible: []string{"Merge: added"}})
	for _, want := range []string{"### Changed (breaking)\n\n- Select: removed\n", "### Added\n\n- Merge: added\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("changelogFallback = %q, want it to contain %q", got, want)
		}
	}
	if got := changelogFallback(apiChange{}); !strings.Contains(got, "No change to the API") {
		t.Errorf("changelogFallback(no change) = %q", got)
	}
}
