// Package migrate tests norm's migrations against real PostgreSQL:
// auto-migrations from models (plans, hazards, online mode, concurrent
// migrators) and SQL-file and Go migrations.
package migrate
