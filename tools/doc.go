// Package tools holds norm's command-line programs and test harness; it
// has no API of its own.
//
//   - pgtest starts throwaway PostgreSQL clusters (primary, streaming
//     replica, PgBouncer) for tests, the demo and local work.
//   - cmd/pgtmp keeps a persistent development cluster under ./.pgdata
//     (make db-up, make db-down).
//   - cmd/demo is what make demo runs.
//
// The module needs Go 1.25 or later; `go install
// github.com/normkit/norm/tools/cmd/normctl@latest` installs normctl.
package tools
