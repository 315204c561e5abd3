package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/normkit/norm/tools/internal/modproxy"
	"github.com/normkit/norm/tools/internal/modset"
)

// goEnv returns the environment gremlins and the go commands it starts
// run with for module m.
//
// gremlins copies the module's directory alone into a temporary
// directory and tests every mutant there, outside go.work, so the
// module must build as a user's build sees it (GOWORK=off). A module
// that requires a sibling at a version not on any module proxy yet gets
// the working tree of its siblings from a file proxy under cache, as
// modcheck does for the tidy check (see the Makefile's lint target), with
// a module cache and build cache of its own: the published versions are
// the working tree, which the developer's caches must never keep.
//
// -count=1 keeps the coverage run, whose duration times every mutant's
// test run, from being a cached result.
func goEnv(ctx context.Context, tree *modset.Tree, m *modset.Module, cache string) ([]string, error) {
	if !requiresSibling(m) {
		return []string{"GOWORK=off", "GOFLAGS=-count=1", "GOTOOLCHAIN=local"}, nil
	}
	if tree.Root == proxied.root && proxied.vars != nil {
		return proxied.vars, nil
	}
	proxy := filepath.Join(cache, "proxy")
	var entries []modproxy.Entry
	for _, s := range tree.Modules {
		if s.Published() && s.Version != "" {
			entries = append(entries, modproxy.Entry{Path: s.Path, Version: s.Version, Dir: s.AbsDir})
		}
	}
	if err := os.RemoveAll(proxy); err != nil {
		return nil, err
	}
	if err := modproxy.Publish(proxy, entries, time.Now()); err != nil {
		return nil, err
	}
	modcache := filepath.Join(cache, "modcache")
	gocache := filepath.Join(cache, "gocache")
	for _, d := range []string{modcache, gocache} {
		if err := removeAll(d); err != nil {
			return nil, err
		}
	}
	proxies := []string{"file://" + filepath.ToSlash(proxy)}
	if dev, err := goEnvVar(ctx, "GOMODCACHE"); err == nil && dev != "" {
		proxies = append(proxies, "file://"+filepath.ToSlash(filepath.Join(dev, "cache", "download")))
	}
	if up, err := goEnvVar(ctx, "GOPROXY"); err == nil && up != "" && up != "off" {
		proxies = append(proxies, up)
	}
	nosum := strings.TrimSuffix(modset.Prefix, "/")
	if v, _ := goEnvVar(ctx, "GONOSUMDB"); v != "" {
		nosum = v + "," + nosum
	}
	proxied.root = tree.Root
	proxied.vars = []string{
		"GOWORK=off",
		"GOFLAGS=-count=1 -mod=mod",
		"GOTOOLCHAIN=local",
		"GOPROXY=" + strings.Join(proxies, ","),
		"GONOSUMDB=" + nosum,
		"GOMODCACHE=" + modcache,
		"GOCACHE=" + gocache,
	}
	return proxied.vars, nil
}

// proxied is the environment of the modules that require a sibling,
// published once a run.
var proxied struct {
	root string
	vars []string
}

// requiresSibling reports whether m requires another norm module.
func requiresSibling(m *modset.Module) bool {
	for _, r := range m.File.Require {
		if strings.HasPrefix(r.Mod.Path, modset.Prefix) {
			return true
		}
	}
	return false
}

// removeAll removes a directory that may hold a module cache, whose
// files and directories are read-only.
func removeAll(dir string) error {
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			_ = os.Chmod(p, 0o755)
		}
		return nil
	})
	return os.RemoveAll(dir)
}

func goEnvVar(ctx context.Context, name string) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", name).Output()
	if err != nil {
		return "", fmt.Errorf("go env %s: %w", name, err)
	}
	return strings.TrimSpace(string(out)), nil
}
