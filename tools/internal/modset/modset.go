// Package modset reads norm's tree of modules: the modules go.work uses,
// their go.mod files, the version each one was last released at (the top
// released entry of its CHANGELOG.md) and the requirements between them.
// The release command and modcheck share it.
package modset

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/normkit/norm/tools/internal/changelog"
	"golang.org/x/mod/modfile"
)

// Prefix is the module path every norm module starts with.
const Prefix = "github.com/normkit/norm/"

// unpublished names the module directories that are never released: the
// end-to-end tests only build inside the workspace, and ormbench, which
// measures repo beside GORM and bun, is a module of its own so that no
// other module depends on them.
var unpublished = map[string]bool{"e2e": true, "e2e/ormbench": true}

// Module is one module of the tree.
type Module struct {
	Dir     string // directory relative to the root, slash-separated: "observe/prom"
	AbsDir  string // absolute directory
	Path    string // module path: "github.com/normkit/norm/observe/prom"
	File    *modfile.File
	Version string // last released version ("v0.1.0"), "" when CHANGELOG.md has none
}

// Published reports whether the module is released (tagged, served by the
// module proxy) at all.
func (m *Module) Published() bool { return !unpublished[m.Dir] }

// Internal reports whether the module's path has an "internal" element
// (github.com/normkit/norm/internal, …/internal/redact): only norm's own
// modules can import its packages, so no user program can, and it is
// checked through the modules that require it. It is still published and
// versioned, since they require it at released versions.
func (m *Module) Internal() bool {
	for _, e := range strings.Split(m.Path, "/") {
		if e == "internal" {
			return true
		}
	}
	return false
}

// Go is the module's go directive ("1.25.0"), "" when it has none.
func (m *Module) Go() string {
	if m.File.Go == nil {
		return ""
	}
	return m.File.Go.Version
}

// TagPrefix is the prefix of the module's release tags: "observe/prom/".
func (m *Module) TagPrefix() string { return m.Dir + "/" }

// Tree is the set of modules that go.work uses.
type Tree struct {
	Root    string
	Work    *modfile.WorkFile
	Modules []*Module // in go.work order
}

// Load reads root/go.work and every module it uses.
func Load(root string) (*Tree, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	work := filepath.Join(root, "go.work")
	data, err := os.ReadFile(work)
	if err != nil {
		return nil, fmt.Errorf("modset: reading the workspace: %w", err)
	}
	wf, err := modfile.ParseWork(work, data, nil)
	if err != nil {
		return nil, fmt.Errorf("modset: %w", err)
	}
	t := &Tree{Root: root, Work: wf}
	for _, u := range wf.Use {
		dir := path.Clean(filepath.ToSlash(u.Path))
		m, err := loadModule(root, dir)
		if err != nil {
			return nil, err
		}
		t.Modules = append(t.Modules, m)
	}
	return t, nil
}

func loadModule(root, dir string) (*Module, error) {
	abs := filepath.Join(root, filepath.FromSlash(dir))
	gomod := filepath.Join(abs, "go.mod")
	data, err := os.ReadFile(gomod)
	if err != nil {
		return nil, fmt.Errorf("modset: module %s: %w", dir, err)
	}
	f, err := modfile.Parse(gomod, data, nil)
	if err != nil {
		return nil, fmt.Errorf("modset: %w", err)
	}
	if f.Module == nil {
		return nil, fmt.Errorf("modset: %s has no module line", gomod)
	}
	m := &Module{Dir: dir, AbsDir: abs, Path: f.Module.Mod.Path, File: f}
	if want := Prefix + dir; m.Path != want {
		return nil, fmt.Errorf("modset: %s declares module %s, want %s", gomod, m.Path, want)
	}
	cl, err := os.ReadFile(filepath.Join(abs, "CHANGELOG.md"))
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("modset: %w", err)
	default:
		v, err := changelog.Latest(string(cl))
		if err != nil {
			return nil, fmt.Errorf("modset: %s/CHANGELOG.md: %w", dir, err)
		}
		if v != "" {
			m.Version = "v" + v
		}
	}
	return m, nil
}

// ByPath returns the module with that module path, or nil.
func (t *Tree) ByPath(p string) *Module {
	for _, m := range t.Modules {
		if m.Path == p {
			return m
		}
	}
	return nil
}

// ByDir returns the module in that directory ("observe/prom"), or nil.
func (t *Tree) ByDir(dir string) *Module {
	dir = path.Clean(strings.TrimSuffix(filepath.ToSlash(dir), "/"))
	for _, m := range t.Modules {
		if m.Dir == dir {
			return m
		}
	}
	return nil
}

// Published returns the modules that are released, in go.work order.
func (t *Tree) Published() []*Module {
	var out []*Module
	for _, m := range t.Modules {
		if m.Published() {
			out = append(out, m)
		}
	}
	return out
}

// Requires returns the modules of the tree that m's go.mod requires.
func (t *Tree) Requires(m *Module) []*Module {
	var out []*Module
	for _, r := range m.File.Require {
		if s := t.ByPath(r.Mod.Path); s != nil {
			out = append(out, s)
		}
	}
	return out
}

// Dependents returns the modules of the tree whose go.mod requires m.
func (t *Tree) Dependents(m *Module) []*Module {
	var out []*Module
	for _, d := range t.Modules {
		for _, r := range d.File.Require {
			if r.Mod.Path == m.Path {
				out = append(out, d)
				break
			}
		}
	}
	return out
}

// Problems lists what keeps the tree from being published as it is: a
// published module without a released version, a requirement of a sibling
// at another version than the sibling's CHANGELOG.md names, and a replace
// directive in a published module (consumers ignore it, and go install
// refuses a module that has one).
func (t *Tree) Problems() []string {
	var out []string
	for _, m := range t.Modules {
		if m.Published() && m.Version == "" {
			out = append(out, fmt.Sprintf("%s: CHANGELOG.md names no released version", m.Dir))
		}
		for _, r := range m.File.Require {
			s := t.ByPath(r.Mod.Path)
			if s == nil {
				continue
			}
			if s.Version != "" && r.Mod.Version != s.Version {
				out = append(out, fmt.Sprintf("%s/go.mod requires %s %s, but %s is at %s (its CHANGELOG.md)",
					m.Dir, r.Mod.Path, r.Mod.Version, s.Dir, s.Version))
			}
		}
		if m.Published() && m.Version != "" {
			if !t.workReplaces(m) {
				out = append(out, fmt.Sprintf("go.work lacks \"replace %s %s => ./%s\"", m.Path, m.Version, m.Dir))
			}
		}
		if m.Published() {
			for _, r := range m.File.Replace {
				out = append(out, fmt.Sprintf("%s/go.mod replaces %s: a published module must not carry a replace directive (go.work ties the tree together)",
					m.Dir, r.Old.Path))
			}
		}
	}
	return out
}

// workReplaces reports whether go.work points m's current version at m's
// directory. Until that version is on the module proxy, the go command
// reads its go.mod through this replace when a sibling requires it.
func (t *Tree) workReplaces(m *Module) bool {
	for _, r := range t.Work.Replace {
		if r.Old.Path == m.Path && r.Old.Version == m.Version && path.Clean(r.New.Path) == m.Dir {
			return true
		}
	}
	return false
}

// Order returns mods with every module after the modules of the tree it
// requires (directly or through other modules of the tree), ties broken
// by directory name. It fails on a cycle.
func (t *Tree) Order(mods []*Module) ([]*Module, error) {
	want := map[*Module]bool{}
	for _, m := range mods {
		want[m] = true
	}
	deps := map[*Module][]*Module{}
	for _, m := range t.Modules {
		deps[m] = t.Requires(m)
	}
	return order(mods, want, deps)
}

// order is a depth-first topological sort over deps, keeping the modules in
// want; modules outside want still carry the ordering through them.
func order(mods []*Module, want map[*Module]bool, deps map[*Module][]*Module) ([]*Module, error) {
	sorted := append([]*Module(nil), mods...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Dir < sorted[j].Dir })
	const (
		visiting = 1
		done     = 2
	)
	state := map[*Module]int{}
	var out []*Module
	var visit func(m *Module, chain []string) error
	visit = func(m *Module, chain []string) error {
		switch state[m] {
		case done:
			return nil
		case visiting:
			return fmt.Errorf("modset: requirement cycle: %s", strings.Join(append(chain, m.Dir), " -> "))
		}
		state[m] = visiting
		ds := append([]*Module(nil), deps[m]...)
		sort.Slice(ds, func(i, j int) bool { return ds[i].Dir < ds[j].Dir })
		for _, d := range ds {
			if err := visit(d, append(chain, m.Dir)); err != nil {
				return err
			}
		}
		state[m] = done
		if want[m] {
			out = append(out, m)
		}
		return nil
	}
	for _, m := range sorted {
		if err := visit(m, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}
