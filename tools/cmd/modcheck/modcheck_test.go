package main

import (
	"reflect"
	"strings"
	"testing"

	"github.com/normkit/norm/tools/internal/modset"
	"golang.org/x/mod/modfile"
)

func TestCommandLines(t *testing.T) {
	tests := []struct {
		name string
		md   string
		want []string
	}{
		{"fenced with comment", "```sh\ngo get github.com/normkit/norm/sqlb      # just the builder\n```\n", []string{"go get github.com/normkit/norm/sqlb"}},
		{"continuation", "```sh\ngo get a \\\n       b\nmake test\n```\n", []string{"go get a b"}},
		{"prompt", "```\n$ go install x/cmd/y@latest\n```", []string{"go install x/cmd/y@latest"}},
		{"inline", "pin it: `go get github.com/normkit/norm/repo@v0.1.0`.", []string{"go get github.com/normkit/norm/repo@v0.1.0"}},
		{"table cell", "| sqlb | `go get github.com/normkit/norm/sqlb` | 1.23 |", []string{"go get github.com/normkit/norm/sqlb"}},
		{"inline code inside a fence is code", "```\nsee `go get x`\n```", nil},
		{"not a command", "```go\nfmt.Println(\"go get x\")\n```\n`go test ./...`", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := commandLines(tt.md); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("commandLines = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestUntidyLines(t *testing.T) {
	diff := `diff current/go.mod tidy/go.mod
--- current/go.mod
+++ tidy/go.mod
@@ -3,1 +3,1 @@
-go 1.25.0
+go 1.26.0
diff current/go.sum tidy/go.sum
--- current/go.sum
+++ tidy/go.sum
@@ -1,2 +1,4 @@
+github.com/normkit/norm/sqlb v0.1.0 h1:abc=
+github.com/normkit/norm/sqlb v0.1.0/go.mod h1:def=
 github.com/x/y v1.0.0 h1:x=
+github.com/x/z v1.0.0/go.mod h1:z=
`
	want := []string{"go.mod: -go 1.25.0", "go.mod: +go 1.26.0", "go.sum: +github.com/x/z v1.0.0/go.mod h1:z="}
	if got := untidyLines(diff); !reflect.DeepEqual(got, want) {
		t.Errorf("untidyLines = %q, want %q", got, want)
	}
	if got := untidyLines("diff current/go.sum tidy/go.sum\n--- current/go.sum\n+++ tidy/go.sum\n+github.com/normkit/norm/observe v0.1.0 h1:q=\n"); len(got) != 0 {
		t.Errorf("norm checksums only: got %q, want nothing", got)
	}
}

func TestDropNormSums(t *testing.T) {
	in := "github.com/a/b v1.0.0 h1:x=\ngithub.com/normkit/norm/sqlb v0.1.0 h1:y=\ngithub.com/normkit/norm/sqlb v0.1.0/go.mod h1:z=\ngithub.com/c/d v1.0.0/go.mod h1:w=\n"
	want := "github.com/a/b v1.0.0 h1:x=\ngithub.com/c/d v1.0.0/go.mod h1:w=\n"
	if got := dropNormSums(in); got != want {
		t.Errorf("dropNormSums = %q, want %q", got, want)
	}
}

func TestToolchainFor(t *testing.T) {
	for in, want := range map[string]string{"1.23": "go1.23.0", "1.25.0": "go1.25.0", "1.25.3": "go1.25.3"} {
		if got := toolchainFor(in); got != want {
			t.Errorf("toolchainFor(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMinor(t *testing.T) {
	for in, want := range map[string]string{"1.23": "1.23", "1.25.0": "1.25", "1.26rc1": "1.26rc1"} {
		if got := minor(in); got != want {
			t.Errorf("minor(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestGraphProblems(t *testing.T) {
	parse := func(dir, text string) *modset.Module {
		f, err := modfile.Parse(dir+"/go.mod", []byte(text), nil)
		if err != nil {
			t.Fatal(err)
		}
		return &modset.Module{Dir: dir, Path: modset.Prefix + dir, File: f}
	}
	sqlb := parse("sqlb", "module github.com/normkit/norm/sqlb\n")
	repo := parse("repo", "module github.com/normkit/norm/repo\nrequire github.com/normkit/norm/sqlb v0.1.0\n")
	observe := parse("observe", "module github.com/normkit/norm/observe\n")
	tree := &modset.Tree{Modules: []*modset.Module{sqlb, repo, observe}}
	tests := []struct {
		name  string
		m     *modset.Module
		graph string
		want  int
	}{
		{"sqlb alone", sqlb, "example.com/consumer github.com/normkit/norm/sqlb github.com/Masterminds/squirrel", 0},
		{"sqlb with pgx", sqlb, "example.com/consumer github.com/normkit/norm/sqlb github.com/jackc/pgx/v5", 1},
		{"repo with its sibling", repo, "github.com/normkit/norm/repo github.com/normkit/norm/sqlb github.com/jackc/pgx/v5", 0},
		{"repo pulling observe", repo, "github.com/normkit/norm/repo github.com/normkit/norm/sqlb github.com/normkit/norm/observe", 1},
		{"observe with prometheus and otel", observe, "github.com/normkit/norm/observe github.com/prometheus/client_golang go.opentelemetry.io/otel", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := graphProblems(tt.m, tree, strings.Fields(tt.graph)); len(got) != tt.want {
				t.Errorf("graphProblems = %q, want %d problems", got, tt.want)
			}
		})
	}
}
