package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/normkit/norm/tools/internal/modproxy"
	"github.com/normkit/norm/tools/internal/modset"
)

// env is the tree, the proxy it was published into, and the environment
// the go command runs with against that proxy.
type env struct {
	ctx      context.Context
	tree     *modset.Tree
	proxy    string // directory of the file proxy
	modcache string // GOMODCACHE of every go command modcheck runs
	vars     []string
}

// newEnv loads the tree, publishes every published module into a fresh
// file proxy and prepares a module cache without any norm module in it.
//
// The go command then finds norm's modules in the file proxy first, other
// modules in the developer's module cache (read as a second file proxy, so
// nothing is downloaded twice) and last in the configured GOPROXY. Norm's
// modules are left out of the checksum database (GONOSUMDB), since what is
// served is the working tree, not a tagged release.
func newEnv(ctx context.Context, root string) (*env, error) {
	tree, err := modset.Load(root)
	if err != nil {
		return nil, err
	}
	cache := cacheDir(tree.Root)
	e := &env{ctx: ctx, tree: tree, proxy: filepath.Join(cache, "proxy"), modcache: filepath.Join(cache, "modcache")}
	var entries []modproxy.Entry
	for _, m := range tree.Published() {
		if m.Version == "" {
			continue // reported by tree.Problems
		}
		entries = append(entries, modproxy.Entry{Path: m.Path, Version: m.Version, Dir: m.AbsDir})
	}
	if err := os.RemoveAll(e.proxy); err != nil {
		return nil, err
	}
	if err := modproxy.Publish(e.proxy, entries, time.Now()); err != nil {
		return nil, err
	}
	for _, d := range []string{"github.com/normkit", "cache/download/github.com/normkit"} {
		if err := removeAll(filepath.Join(e.modcache, d)); err != nil {
			return nil, err
		}
	}
	upstream, err := goEnv(ctx, "GOPROXY")
	if err != nil {
		return nil, err
	}
	devCache, err := goEnv(ctx, "GOMODCACHE")
	if err != nil {
		return nil, err
	}
	proxies := []string{"file://" + filepath.ToSlash(e.proxy)}
	if devCache != "" && devCache != e.modcache {
		proxies = append(proxies, "file://"+filepath.ToSlash(filepath.Join(devCache, "cache", "download")))
	}
	if upstream != "" && upstream != "off" {
		proxies = append(proxies, upstream)
	}
	gocache, err := buildCacheFor(cache, e.proxy)
	if err != nil {
		return nil, err
	}
	nosum := modset.Prefix[:len(modset.Prefix)-1]
	if v, _ := goEnv(ctx, "GONOSUMDB"); v != "" {
		nosum = v + "," + nosum
	}
	e.vars = []string{
		"GOPROXY=" + strings.Join(proxies, ","),
		"GONOSUMDB=" + nosum,
		"GOMODCACHE=" + e.modcache,
		"GOCACHE=" + gocache,
		"GOWORK=off",
		"GOFLAGS=-mod=mod",
		"GOTOOLCHAIN=local",
	}
	return e, nil
}

// buildCacheFor returns the build cache for the go commands run against
// the proxy in proxyDir: one per content of the published modules, other
// ones removed. The go command trusts a module version never to change and
// keeps what it learned of its packages (file lists) in the build cache
// under that version; the working tree is published as the same version
// after every edit, so a build cache shared across edits compiles a stale
// file list ("undefined: …" for a file added since). Dependencies are
// compiled again only when norm's modules change.
func buildCacheFor(cache, proxyDir string) (string, error) {
	h := sha256.New()
	err := filepath.WalkDir(proxyDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) == ".info" { // .info holds the publishing time
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(proxyDir, p)
		_, _ = fmt.Fprintf(h, "%s %d\n", filepath.ToSlash(rel), len(b))
		_, _ = h.Write(b)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("modcheck: hash the published modules: %w", err)
	}
	dir := filepath.Join(cache, "gocache-"+hex.EncodeToString(h.Sum(nil))[:16])
	old, _ := filepath.Glob(filepath.Join(cache, "gocache-*"))
	for _, o := range old {
		if o != dir {
			if err := os.RemoveAll(o); err != nil {
				return "", err
			}
		}
	}
	return dir, os.MkdirAll(dir, 0o755)
}

// removeAll removes a tree of the module cache, whose files and
// directories are read-only.
func removeAll(dir string) error {
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			_ = os.Chmod(p, 0o755)
		}
		return nil
	})
	return os.RemoveAll(dir)
}

func goEnv(ctx context.Context, name string) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", name).Output()
	if err != nil {
		return "", fmt.Errorf("go env %s: %w", name, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// run runs the go command (or another program) in dir with the proxy
// environment plus extra, returning stdout and stderr together.
func (e *env) run(dir string, extra []string, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(e.ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), e.vars...), extra...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	if err != nil {
		return out.String(), fmt.Errorf("%s %s (in %s): %w\n%s", name, strings.Join(args, " "), dir, err, indent(out.String()))
	}
	return out.String(), nil
}

func indent(s string) string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return ""
	}
	return "\t" + strings.ReplaceAll(s, "\n", "\n\t")
}
