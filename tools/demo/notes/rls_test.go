package notes

import (
	"io/fs"
	"strings"
	"testing"
)

// TestMigrationMatchesRlsutil checks that the SQL-file migration holds
// exactly the statements rlsutil generates, so the file cannot drift from
// the generator.
func TestMigrationMatchesRlsutil(t *testing.T) {
	files, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	b, err := fs.ReadFile(files, "0001_tenant_isolation.up.sql")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, line := range strings.Split(string(b), "\n") {
		if line != "" && !strings.HasPrefix(line, "--") {
			got = append(got, strings.TrimSuffix(line, ";"))
		}
	}
	want, err := TenantIsolationSQL()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("migration file differs from rlsutil's output.\nfile:\n%s\nrlsutil:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, table := range tenantTables {
		if !strings.Contains(string(b), `CREATE POLICY "`+table+`_tenant_isolation"`) {
			t.Errorf("no tenant policy for %s", table)
		}
	}
}
