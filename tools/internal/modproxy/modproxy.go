// Package modproxy writes a file-based Go module proxy
// (GOPROXY=file:///dir) holding modules of the working tree at given
// versions, zipped by golang.org/x/mod/zip with the go command's rules
// (nested modules, vendor directories and files of other modules left out).
package modproxy

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"golang.org/x/mod/module"
	"golang.org/x/mod/zip"
)

// Entry is one module version to publish from a directory.
type Entry struct {
	Path    string // module path
	Version string // "v0.1.0"
	Dir     string // directory holding its go.mod
}

// Publish writes every entry into the proxy directory dir, removing what
// dir held for those module paths before.
func Publish(dir string, entries []Entry, now time.Time) error {
	versions := map[string][]string{}
	for _, e := range entries {
		esc, err := module.EscapePath(e.Path)
		if err != nil {
			return fmt.Errorf("modproxy: %w", err)
		}
		vdir := filepath.Join(dir, filepath.FromSlash(esc), "@v")
		if _, seen := versions[e.Path]; !seen {
			if err := os.RemoveAll(vdir); err != nil {
				return fmt.Errorf("modproxy: %w", err)
			}
		}
		if err := publishOne(vdir, e, now); err != nil {
			return err
		}
		versions[e.Path] = append(versions[e.Path], e.Version)
	}
	for p, vs := range versions {
		esc, _ := module.EscapePath(p)
		sort.Strings(vs)
		list := ""
		for _, v := range vs {
			list += v + "\n"
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(esc), "@v", "list"), []byte(list), 0o644); err != nil {
			return fmt.Errorf("modproxy: %w", err)
		}
	}
	return nil
}

func publishOne(vdir string, e Entry, now time.Time) error {
	mv := module.Version{Path: e.Path, Version: e.Version}
	if err := module.Check(e.Path, e.Version); err != nil {
		return fmt.Errorf("modproxy: %w", err)
	}
	ev, err := module.EscapeVersion(e.Version)
	if err != nil {
		return fmt.Errorf("modproxy: %w", err)
	}
	if err := os.MkdirAll(vdir, 0o755); err != nil {
		return fmt.Errorf("modproxy: %w", err)
	}
	gomod, err := os.ReadFile(filepath.Join(e.Dir, "go.mod"))
	if err != nil {
		return fmt.Errorf("modproxy: %w", err)
	}
	if err := os.WriteFile(filepath.Join(vdir, ev+".mod"), gomod, 0o644); err != nil {
		return fmt.Errorf("modproxy: %w", err)
	}
	info, err := json.Marshal(struct {
		Version string
		Time    time.Time
	}{e.Version, now.UTC().Truncate(time.Second)})
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(vdir, ev+".info"), info, 0o644); err != nil {
		return fmt.Errorf("modproxy: %w", err)
	}
	zf, err := os.Create(filepath.Join(vdir, ev+".zip"))
	if err != nil {
		return fmt.Errorf("modproxy: %w", err)
	}
	if err := zip.CreateFromDir(zf, mv, e.Dir); err != nil {
		_ = zf.Close()
		return fmt.Errorf("modproxy: zipping %s@%s from %s: %w", e.Path, e.Version, e.Dir, err)
	}
	if err := zf.Close(); err != nil {
		return fmt.Errorf("modproxy: %w", err)
	}
	return nil
}
