// Package observe tests github.com/normkit/norm/observe against real
// PostgreSQL: every pgx path through a traced pgx.Conn and pgxpool.Pool
// produces exactly one event, logs carry context fields, and no parameter
// value the tests insert appears in any log line the package writes.
package observe
