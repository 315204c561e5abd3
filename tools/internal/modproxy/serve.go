package modproxy

import (
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

	"github.com/normkit/norm/tools/internal/modset"
)

// Served is the working tree's published modules in a file proxy, and
// the environment under which a go command builds a module as a user's
// build sees it: outside go.work, its norm requirements taken from the
// proxy at the versions it names.
type Served struct {
	Proxy    string // directory of the file proxy
	ModCache string // GOMODCACHE of the go commands: holds no norm module from before
	// Vars are GOPROXY, GONOSUMDB, GOMODCACHE, GOCACHE, GOWORK=off,
	// GOFLAGS=-mod=mod and GOTOOLCHAIN=local, to append to os.Environ().
	Vars []string
}

// Serve publishes every published module of tree (at its last released
// version) into a fresh file proxy under cache, and prepares a module
// cache there without any norm module in it.
//
// The go command then finds norm's modules in the file proxy first, other
// modules in the developer's module cache (read as a second file proxy, so
// nothing is downloaded twice) and last in the configured GOPROXY. Norm's
// modules are left out of the checksum database (GONOSUMDB), since what is
// served is the working tree, not a tagged release.
func Serve(ctx context.Context, tree *modset.Tree, cache string) (*Served, error) {
	s := &Served{Proxy: filepath.Join(cache, "proxy"), ModCache: filepath.Join(cache, "modcache")}
	var entries []Entry
	for _, m := range tree.Published() {
		if m.Version == "" {
			continue // reported by tree.Problems
		}
		entries = append(entries, Entry{Path: m.Path, Version: m.Version, Dir: m.AbsDir})
	}
	if err := os.RemoveAll(s.Proxy); err != nil {
		return nil, err
	}
	if err := Publish(s.Proxy, entries, time.Now()); err != nil {
		return nil, err
	}
	for _, d := range []string{"github.com/normkit", "cache/download/github.com/normkit"} {
		if err := RemoveAll(filepath.Join(s.ModCache, d)); err != nil {
			return nil, err
		}
	}
	upstream, err := GoEnv(ctx, "GOPROXY")
	if err != nil {
		return nil, err
	}
	devCache, err := GoEnv(ctx, "GOMODCACHE")
	if err != nil {
		return nil, err
	}
	proxies := []string{"file://" + filepath.ToSlash(s.Proxy)}
	if devCache != "" && devCache != s.ModCache {
		proxies = append(proxies, "file://"+filepath.ToSlash(filepath.Join(devCache, "cache", "download")))
	}
	if upstream != "" && upstream != "off" {
		proxies = append(proxies, upstream)
	}
	gocache, err := buildCacheFor(cache, s.Proxy)
	if err != nil {
		return nil, err
	}
	nosum := strings.TrimSuffix(modset.Prefix, "/")
	if v, _ := GoEnv(ctx, "GONOSUMDB"); v != "" {
		nosum = v + "," + nosum
	}
	s.Vars = []string{
		"GOPROXY=" + strings.Join(proxies, ","),
		"GONOSUMDB=" + nosum,
		"GOMODCACHE=" + s.ModCache,
		"GOCACHE=" + gocache,
		"GOWORK=off",
		"GOFLAGS=-mod=mod",
		"GOTOOLCHAIN=local",
	}
	return s, nil
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
		return "", fmt.Errorf("modproxy: hash the published modules: %w", err)
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

// RemoveAll removes a tree of a module cache, whose files and
// directories are read-only; a missing tree is no error.
func RemoveAll(dir string) error {
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

// GoEnv returns the go command's value of the environment variable name.
func GoEnv(ctx context.Context, name string) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", name).Output()
	if err != nil {
		return "", fmt.Errorf("go env %s: %w", name, err)
	}
	return strings.TrimSpace(string(out)), nil
}
