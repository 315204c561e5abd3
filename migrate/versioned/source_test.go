package versioned

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
)

func TestFileParseName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    parsedName
		wantErr string
	}{
		{in: "0001_create_users.up.sql", want: parsedName{Version: 1, Name: "create_users", Up: true}},
		{in: "0001_create_users.down.sql", want: parsedName{Version: 1, Name: "create_users"}},
		{in: "20260101120000_add-index.up.sql", want: parsedName{Version: 20260101120000, Name: "add-index", Up: true}},
		{in: "7_x_y_z.up.sql", want: parsedName{Version: 7, Name: "x_y_z", Up: true}},
		{in: "0001_users.sql", wantErr: "must end in .up.sql or .down.sql"},
		{in: "0001.up.sql", wantErr: "want NNNN_name.up.sql"},
		{in: "0001_.up.sql", wantErr: "want NNNN_name.up.sql"},
		{in: "_users.up.sql", wantErr: "missing version number"},
		{in: "v1_users.up.sql", wantErr: `version "v1" is not a decimal number`},
		{in: "0000_users.up.sql", wantErr: `version "0000" must be positive`},
		{in: "99999999999999999999_users.up.sql", wantErr: "is too large"},
		{in: "0001_bad.name.up.sql", wantErr: `may hold only letters`},
		{in: "0001_sp ace.up.sql", wantErr: `may hold only letters`},
	}
	for _, tt := range tests {
		got, err := parseName(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), tt.in) || !errors.Is(err, ErrBadFile) {
				t.Errorf("parseName(%q) error = %v, want ErrBadFile naming the file and containing %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("parseName(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func FuzzFileParseName(f *testing.F) {
	for _, s := range []string{"0001_a.up.sql", "2_b.down.sql", "x.sql", "00_a.up.sql", "1_.up.sql"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := parseName(in)
		if err != nil {
			if !errors.Is(err, ErrBadFile) {
				t.Fatalf("error %v is not ErrBadFile", err)
			}
			return
		}
		suffix := ".down.sql"
		if got.Up {
			suffix = ".up.sql"
		}
		if got.Version <= 0 || got.Name == "" || !strings.HasSuffix(in, "_"+got.Name+suffix) {
			t.Fatalf("parseName(%q) = %+v: inconsistent with the input", in, got)
		}
	})
}

func TestFileParseScriptDirective(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src string
		noTx      bool
		wantErr   string
	}{
		{"none", "CREATE INDEX i ON t (a);", false, ""},
		{"first line", "-- norm:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (a);", true, ""},
		{"after other comments", "-- adds an index\n\n--   norm:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (a);", true, ""},
		{"after a statement", "SELECT 1;\n-- norm:no-transaction\nSELECT 2;", false, "x.up.sql:2: directive \"norm:no-transaction\" must come before the first statement"},
		{"typo", "-- norm:no-transactions\nSELECT 1;", false, "x.up.sql:1: unknown directive \"norm:no-transactions\""},
		{"inside a string is not a directive", "SELECT '-- norm:no-transaction';", false, ""},
		{"block comment is not a directive", "/* norm:no-transaction */ SELECT 1;", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sc, err := parseScript("x.up.sql", tt.src)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || sc.NoTransaction != tt.noTx {
				t.Fatalf("NoTransaction = %v, %v; want %v", sc != nil && sc.NoTransaction, err, tt.noTx)
			}
		})
	}
}

func TestFileLoad(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"0002_b.up.sql":   {Data: []byte("CREATE TABLE b (id int);")},
		"0002_b.down.sql": {Data: []byte("DROP TABLE b;")},
		"0001_a.up.sql":   {Data: []byte("\ufeff-- norm:no-transaction\r\nCREATE TABLE a (id int);\r\n")},
		"README.md":       {Data: []byte("not a migration")},
		"sub/0009_x.sql":  {Data: []byte("ignored")},
	}
	ms, err := loadFiles(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0].Version != 1 || ms[1].Version != 2 {
		t.Fatalf("versions = %v, want [1 2]", ms)
	}
	if ms[0].HasDown() || !ms[1].HasDown() || ms[1].DownFile != "0002_b.down.sql" {
		t.Fatalf("down files wrong: %+v %+v", ms[0], ms[1])
	}
	if !ms[0].NoTransaction() || ms[0].up.Statements[0].SQL != "-- norm:no-transaction\r\nCREATE TABLE a (id int);" {
		t.Fatalf("BOM and CRLF file parsed as %+v", ms[0].up)
	}
	if len(ms[0].Checksum) != len("v2:")+64 || !strings.HasPrefix(ms[0].Checksum, "v2:") || ms[0].Checksum == ms[1].Checksum {
		t.Fatalf("checksums %q %q", ms[0].Checksum, ms[1].Checksum)
	}
}

func TestFileLoadErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		fsys fstest.MapFS
		want string
	}{
		{"bad name", fstest.MapFS{"create_users.sql": {}}, `"create_users.sql": name must end in .up.sql`},
		{"duplicate version", fstest.MapFS{"0001_a.up.sql": {}, "1_b.up.sql": {}}, "version 1 is also used by"},
		{"duplicate up", fstest.MapFS{"0001_a.up.sql": {}, "1_a.up.sql": {}}, "duplicate up file for version 1"},
		{"down without up", fstest.MapFS{"0003_c.down.sql": {}}, "0003_c.down.sql: down file without an up file for version 3"},
		{"unterminated", fstest.MapFS{"0004_d.up.sql": {Data: []byte("SELECT 'x")}}, "0004_d.up.sql: unterminated string literal at line 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := loadFiles(tt.fsys)
			if err == nil || !errors.Is(err, ErrBadFile) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want ErrBadFile containing %q", err, tt.want)
			}
		})
	}
}

// FuzzFileParseScript: parsing a file never panics, fails only with
// ErrBadFile naming the file, and a file it accepts with the directive
// has "-- norm:no-transaction" before its first statement.
func FuzzFileParseScript(f *testing.F) {
	for _, s := range []string{
		"-- norm:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (a);",
		"SELECT 1;\n-- norm:no-transaction",
		"-- norm:bogus\nSELECT 1",
		"/* -- norm:no-transaction */ SELECT '-- norm:no-transaction';",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		sc, err := parseScript("f.up.sql", src)
		if err != nil {
			if !errors.Is(err, ErrBadFile) || !strings.Contains(err.Error(), "f.up.sql") {
				t.Fatalf("error %v is not ErrBadFile naming the file", err)
			}
			return
		}
		if !sc.NoTransaction {
			return
		}
		idx := strings.Index(src, noTxDirective)
		if idx < 0 || len(sc.Statements) > 0 && idx > sc.Statements[0].Start+len(sc.Statements[0].SQL)-len(sc.Statements[0].Code) {
			t.Fatalf("directive accepted after the first statement in %q", src)
		}
	})
}
