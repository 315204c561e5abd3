package versioned

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"testing"
	"testing/fstest"
)

func TestFileChecksum(t *testing.T) {
	t.Parallel()
	str := func(s string) *string { return &s }
	base := checksumV2("CREATE TABLE a (id int);\n", str("DROP TABLE a;\n"))
	if !regexp.MustCompile(`^v2:[0-9a-f]{64}$`).MatchString(base) {
		t.Fatalf("checksum %q is not v2:<64 hex digits>", base)
	}
	if again := checksumV2("CREATE TABLE a (id int);\n", str("DROP TABLE a;\n")); again != base {
		t.Fatalf("same files, different checksums: %q %q", base, again)
	}
	tests := []struct {
		name string
		up   string
		down *string
	}{
		{"up changed", "CREATE TABLE a (id bigint);\n", str("DROP TABLE a;\n")},
		{"down changed", "CREATE TABLE a (id int);\n", str("DROP TABLE IF EXISTS a;\n")},
		{"down removed", "CREATE TABLE a (id int);\n", nil},
		{"down emptied", "CREATE TABLE a (id int);\n", str("")},
		{"text moved from down to up", "CREATE TABLE a (id int);\nDROP TABLE a;\n", str("")},
		{"directive added", "-- norm:no-transaction\nCREATE TABLE a (id int);\n", str("DROP TABLE a;\n")},
		{"line endings changed", "CREATE TABLE a (id int);\r\n", str("DROP TABLE a;\n")},
	}
	seen := map[string]string{base: "base"}
	for _, tt := range tests {
		got := checksumV2(tt.up, tt.down)
		if prev, dup := seen[got]; dup {
			t.Errorf("%s: checksum %q equals that of %s", tt.name, got, prev)
		}
		seen[got] = tt.name
	}
	// Adding a down file to an up-only migration changes it too.
	if checksumV2("SELECT 1;", nil) == checksumV2("SELECT 1;", str("SELECT 2;")) {
		t.Error("adding a down file left the checksum unchanged")
	}
}

// TestMigrationChecksumMatch checks the stored values that verify a
// migration's files: the current v2 value, and the pre-v2 value (bare hex
// SHA-256 of the up file as read) while the up file is unchanged.
func TestMigrationChecksumMatch(t *testing.T) {
	t.Parallel()
	up := "\ufeffCREATE TABLE a (id int);\r\n" // a BOM and CRLF, as an editor may write
	ms, err := loadFiles(fstest.MapFS{
		"0001_a.up.sql":   {Data: []byte(up)},
		"0001_a.down.sql": {Data: []byte("DROP TABLE a;")},
	})
	if err != nil {
		t.Fatal(err)
	}
	m := ms[0]
	sum := sha256.Sum256([]byte(up)) // what releases before v2 stored
	legacy := hex.EncodeToString(sum[:])
	otherSum := sha256.Sum256([]byte("CREATE TABLE a (id bigint);"))
	tests := []struct {
		name   string
		stored string
		want   checksumVerdict
	}{
		{"current", m.Checksum, checksumCurrent},
		{"old format, up unchanged", legacy, checksumLegacy},
		{"old format, up changed", hex.EncodeToString(otherSum[:]), checksumDiffers},
		{"v2 prefix on an old-format value", "v2:" + legacy, checksumDiffers},
		{"v2 of other files", checksumV2("CREATE TABLE a (id int);", nil), checksumDiffers},
		{"empty", "", checksumDiffers},
	}
	for _, tt := range tests {
		if got := m.checksumMatch(tt.stored); got != tt.want {
			t.Errorf("%s: checksumMatch(%q) = %d, want %d", tt.name, tt.stored, got, tt.want)
		}
	}

	// An old-format value covers the up file only: after the down file is
	// edited it still verifies (the edit predates v2 tracking), while the
	// v2 value recorded before the edit does not.
	edited, err := loadFiles(fstest.MapFS{
		"0001_a.up.sql":   {Data: []byte(up)},
		"0001_a.down.sql": {Data: []byte("DROP TABLE IF EXISTS a;")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := edited[0].checksumMatch(legacy); got != checksumLegacy {
		t.Errorf("old-format value after a down edit = %d, want it accepted as legacy", got)
	}
	if got := edited[0].checksumMatch(m.Checksum); got != checksumDiffers {
		t.Errorf("v2 value after a down edit = %d, want drift", got)
	}
	// Go migrations carry no checksum and always match.
	g := &Migration{Version: 2, Name: "g", Kind: KindGo}
	if got := g.checksumMatch(""); got != checksumCurrent {
		t.Errorf("Go migration checksumMatch = %d, want current", got)
	}
}
