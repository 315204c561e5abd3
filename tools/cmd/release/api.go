package main

import (
	"fmt"
	"go/types"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/exp/apidiff"
	"golang.org/x/tools/go/packages"
)

// loadAPI type-checks the exported packages of the module at dir (internal
// and main packages left out), in the workspace that dir belongs to.
func loadAPI(modPath, dir string) ([]*types.Package, error) {
	cfg := &packages.Config{
		Mode: packages.NeedName | packages.NeedTypes,
		Dir:  dir,
		Env:  append(os.Environ(), "GOFLAGS="),
	}
	if work := findWork(dir); work != "" {
		cfg.Env = append(cfg.Env, "GOWORK="+work)
	}
	pkgs, err := packages.Load(cfg, "./...")
	if err != nil {
		return nil, fmt.Errorf("loading %s: %w", dir, err)
	}
	var out []*types.Package
	var errs []string
	for _, p := range pkgs {
		for _, e := range p.Errors {
			errs = append(errs, e.Error())
		}
		if p.Name == "main" || isInternal(strings.TrimPrefix(p.PkgPath, modPath)) || p.Types == nil {
			continue
		}
		out = append(out, p.Types)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("loading %s:\n\t%s", dir, strings.Join(errs, "\n\t"))
	}
	return out, nil
}

func isInternal(rel string) bool {
	for _, el := range strings.Split(rel, "/") {
		if el == "internal" {
			return true
		}
	}
	return false
}

// findWork is the go.work of the tree dir lies in, "" if none.
func findWork(dir string) string {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.work")); err == nil {
			return filepath.Join(d, "go.work")
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

// compareAPI reports the API change from the old to the current packages of a module
// with golang.org/x/exp/apidiff.
func compareAPI(modPath string, old, cur []*types.Package) apiChange {
	r := apidiff.ModuleChanges(&apidiff.Module{Path: modPath, Packages: old}, &apidiff.Module{Path: modPath, Packages: cur})
	var c apiChange
	for _, ch := range r.Changes {
		if ch.Compatible {
			c.Compatible = append(c.Compatible, ch.Message)
		} else {
			c.Incompatible = append(c.Incompatible, ch.Message)
		}
	}
	return c
}

// changelogFallback is the entry written when the Unreleased section is
// empty: the API report, or a plain line when the API did not change.
func changelogFallback(c apiChange) string {
	var b strings.Builder
	if len(c.Incompatible) > 0 {
		b.WriteString("### Changed (breaking)\n\n")
		for _, m := range c.Incompatible {
			fmt.Fprintf(&b, "- %s\n", m)
		}
		b.WriteString("\n")
	}
	if len(c.Compatible) > 0 {
		b.WriteString("### Added\n\n")
		for _, m := range c.Compatible {
			fmt.Fprintf(&b, "- %s\n", m)
		}
		b.WriteString("\n")
	}
	if b.Len() == 0 {
		b.WriteString("### Changed\n\n- No change to the API; see the commits since the previous tag.\n")
	}
	return b.String()
}
