package modset

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// writeTree lays out a tree: files maps a slash path to its content.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, content := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func gomod(dir string, reqs ...string) string {
	s := "module " + Prefix + dir + "\n\ngo 1.25.0\n"
	for _, r := range reqs {
		s += "\nrequire " + r + "\n"
	}
	return s
}

const cl010 = "# Changelog\n\n## [Unreleased]\n\n## [0.1.0] - 2026-12-01\n\n- First.\n"

func sampleFiles() map[string]string {
	return map[string]string{
		"go.work": "go 1.26.0\n\nuse (\n\t./e2e\n\t./observe\n\t./observe/prom\n\t./repo\n\t./sqlb\n)\n\nreplace (\n" +
			"\tgithub.com/normkit/norm/observe v0.1.0 => ./observe\n" +
			"\tgithub.com/normkit/norm/observe/prom v0.1.0 => ./observe/prom\n" +
			"\tgithub.com/normkit/norm/repo v0.1.0 => ./repo\n" +
			"\tgithub.com/normkit/norm/sqlb v0.1.0 => ./sqlb\n)\n",
		"sqlb/go.mod":               gomod("sqlb"),
		"sqlb/CHANGELOG.md":         cl010,
		"repo/go.mod":               gomod("repo", Prefix+"sqlb v0.1.0"),
		"repo/CHANGELOG.md":         cl010,
		"observe/go.mod":            gomod("observe"),
		"observe/CHANGELOG.md":      cl010,
		"observe/prom/go.mod":       gomod("observe/prom", Prefix+"observe v0.1.0"),
		"observe/prom/CHANGELOG.md": cl010,
		"e2e/go.mod":                gomod("e2e", Prefix+"repo v0.1.0", Prefix+"observe/prom v0.1.0"),
	}
}

func TestLoad(t *testing.T) {
	tree, err := Load(writeTree(t, sampleFiles()))
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, m := range tree.Published() {
		dirs = append(dirs, m.Dir+"@"+m.Version)
	}
	want := []string{"observe@v0.1.0", "observe/prom@v0.1.0", "repo@v0.1.0", "sqlb@v0.1.0"}
	if !reflect.DeepEqual(dirs, want) {
		t.Errorf("published = %v, want %v", dirs, want)
	}
	if p := tree.Problems(); len(p) != 0 {
		t.Errorf("Problems of a consistent tree: %q", p)
	}
	var deps []string
	for _, d := range tree.Dependents(tree.ByDir("sqlb")) {
		deps = append(deps, d.Dir)
	}
	if !reflect.DeepEqual(deps, []string{"repo"}) {
		t.Errorf("Dependents(sqlb) = %v", deps)
	}
}

func TestProblems(t *testing.T) {
	tests := []struct {
		name   string
		change map[string]string
		want   string
	}{
		{"require reverted to v0.0.0", map[string]string{"repo/go.mod": gomod("repo", Prefix+"sqlb v0.0.0")},
			"repo/go.mod requires github.com/normkit/norm/sqlb v0.0.0, but sqlb is at v0.1.0"},
		{"replace in a library", map[string]string{"repo/go.mod": gomod("repo", Prefix+"sqlb v0.1.0") + "\nreplace " + Prefix + "sqlb => ../sqlb\n"},
			"repo/go.mod replaces github.com/normkit/norm/sqlb"},
		{"no released version", map[string]string{"sqlb/CHANGELOG.md": "# Changelog\n\n## [Unreleased]\n"},
			"sqlb: CHANGELOG.md names no released version"},
		{"go.work lags a release", map[string]string{"sqlb/CHANGELOG.md": "## [Unreleased]\n\n## [0.2.0] - 2026-12-02\n\n- x\n",
			"repo/go.mod": gomod("repo", Prefix+"sqlb v0.2.0")},
			`go.work lacks "replace github.com/normkit/norm/sqlb v0.2.0 => ./sqlb"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := sampleFiles()
			for k, v := range tt.change {
				files[k] = v
			}
			tree, err := Load(writeTree(t, files))
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(tree.Problems(), "\n")
			if !strings.Contains(got, tt.want) {
				t.Errorf("Problems = %q, want one containing %q", got, tt.want)
			}
		})
	}
}

func TestLoadRejectsWrongModulePath(t *testing.T) {
	files := sampleFiles()
	files["sqlb/go.mod"] = "module example.com/sqlb\n\ngo 1.23\n"
	if _, err := Load(writeTree(t, files)); err == nil || !strings.Contains(err.Error(), "want github.com/normkit/norm/sqlb") {
		t.Errorf("Load = %v, want a module path error", err)
	}
}

func TestOrder(t *testing.T) {
	mk := func(dir string) *Module { return &Module{Dir: dir} }
	sqlb, repo, migrate, tools, observe := mk("sqlb"), mk("repo"), mk("migrate"), mk("tools"), mk("observe")
	deps := map[*Module][]*Module{
		repo:    {sqlb},
		migrate: {sqlb},
		tools:   {migrate, repo, observe},
	}
	dirs := func(ms []*Module) []string {
		var out []string
		for _, m := range ms {
			out = append(out, m.Dir)
		}
		return out
	}
	all := map[*Module]bool{sqlb: true, repo: true, migrate: true, tools: true, observe: true}
	tests := []struct {
		name string
		mods []*Module
		want []string
	}{
		{"dependencies first", []*Module{tools, repo, sqlb}, []string{"sqlb", "repo", "tools"}},
		{"everything", []*Module{tools, observe, migrate, repo, sqlb}, []string{"sqlb", "migrate", "observe", "repo", "tools"}},
		{"one", []*Module{repo}, []string{"repo"}},
		{"through a module not asked for", []*Module{tools, sqlb}, []string{"sqlb", "tools"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := map[*Module]bool{}
			for _, m := range tt.mods {
				want[m] = all[m]
			}
			got, err := order(tt.mods, want, deps)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(dirs(got), tt.want) {
				t.Errorf("order = %v, want %v", dirs(got), tt.want)
			}
		})
	}
	deps[sqlb] = []*Module{repo}
	if _, err := order([]*Module{repo}, map[*Module]bool{repo: true}, deps); err == nil || !strings.Contains(err.Error(), "cycle") {
		t.Errorf("order with a cycle = %v, want a cycle error", err)
	}
}

func TestModuleInternal(t *testing.T) {
	t.Parallel()
	for path, want := range map[string]bool{
		Prefix + "internal": true, Prefix + "internal/redact": true, Prefix + "sqlb": false,
		Prefix + "observe/prom": false, Prefix + "internals": false,
	} {
		if got := (&Module{Path: path}).Internal(); got != want {
			t.Errorf("Module{Path: %q}.Internal() = %v, want %v", path, got, want)
		}
	}
}
