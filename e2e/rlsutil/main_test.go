package rlsutil

import (
	"os"
	"testing"

	"github.com/normkit/norm/tools/pgtest"
)

var cluster *pgtest.Cluster

func TestMain(m *testing.M) {
	os.Exit(pgtest.RunMain(m, pgtest.Options{PgBouncer: true, Replica: true}, &cluster))
}
