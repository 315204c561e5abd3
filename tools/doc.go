// Package tools holds norm's command-line programs; it has no API of its
// own.
//
//   - cmd/normctl is the migration CLI.
//   - cmd/release releases modules (make release; docs/releasing.md).
//   - cmd/modcheck checks the modules as they are published: the GOWORK=off
//     tidy check of make lint, make go-min and make consumer-check.
//   - cmd/testmatrix runs the e2e suite once per PostgreSQL major version
//     and prints a pass/fail/skip table (make test-matrix).
//   - cmd/pgtmp keeps a persistent development cluster under ./.pgdata
//     (make db-up, make db-down).
//   - cmd/demo is what make demo runs.
//
// pgtest, which starts throwaway PostgreSQL clusters (primary, streaming
// replica, PgBouncer) for tests, the demo and local work, is the module
// github.com/normkit/norm/tools/pgtest, so tests that import it do not
// depend on this one.
//
// The module needs Go 1.25 or later; `go install
// github.com/normkit/norm/tools/cmd/normctl@latest` installs normctl.
package tools
