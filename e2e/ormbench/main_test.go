package ormbench

import (
	"flag"
	"os"
	"testing"

	"github.com/normkit/norm/tools/pgtest"
)

var cluster *pgtest.Cluster

// TestMain starts a PostgreSQL cluster only when a benchmark is asked for:
// the package has no tests, and `make unit` runs every module's.
func TestMain(m *testing.M) {
	flag.Parse()
	if f := flag.Lookup("test.bench"); f == nil || f.Value.String() == "" {
		os.Exit(m.Run())
	}
	os.Exit(pgtest.RunMain(m, pgtest.Options{}, &cluster))
}
