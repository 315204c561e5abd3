// Package tools holds norm's command-line programs and test harness; it
// has no API of its own.
//
//   - pgtest starts throwaway PostgreSQL clusters (primary, streaming
//     replica, PgBouncer) for tests, the demo and local work.
//   - cmd/pgtmp keeps a persistent development cluster under ./.pgdata
//     (make db-up, make db-down).
//   - cmd/demo is what make demo runs.
package tools
