// Package sqlb is a PostgreSQL query builder for Go that can be used on its
// own, with any driver, or underneath norm's repository and migration
// modules.
//
// It adapts Masterminds/squirrel to PostgreSQL: placeholders are numbered
// ($1, $2, …) once for the whole statement, identifiers are quoted, a slice
// in a condition becomes a single array parameter (= ANY($1)), and raw SQL is
// only accepted by functions whose names say so. It also owns norm's model
// metadata: the one parser of `db` and `norm` struct tags, cached per type,
// that repo and migrate build on. sqlb imports neither pgx nor any other
// norm module.
package sqlb
