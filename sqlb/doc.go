// Package sqlb is a PostgreSQL query builder for Go that can be used on its
// own, with any driver, or underneath norm's repository and migration
// modules. It imports neither pgx nor any other public norm module; its
// dependencies are Masterminds/squirrel, whose Sqlizer interface it speaks
// in both directions, and norm's zero-dependency internal module (the SQL
// lexer every norm module shares).
//
// # Statements
//
// Select, Insert, Update and Delete return immutable builders; every builder
// ends in ToSQL, which returns the statement with $n placeholders numbered
// once for the whole statement, subqueries and CTEs included. Builders have
// no ToSql (squirrel's method, ? placeholders), so that form is never one
// letter away: a builder's Squirrel method returns its squirrel Sqlizer
// view for nesting in squirrel. Conditions and Raw expressions are
// squirrel Sqlizers themselves.
//
//	sql, args, err := sqlb.Select("id", "email").From("users").
//		Where(sqlb.Eq("team_id", 7), sqlb.In("role", []string{"admin", "owner"})).
//		OrderBy(sqlb.Desc("created_at")).Limit(20).
//		ToSQL()
//	// SELECT "id", "email" FROM "users" WHERE "team_id" = $1 AND "role" = ANY($2)
//	//   ORDER BY "created_at" DESC LIMIT $3
//
// # Safety
//
// Table and column names given as strings are quoted qualified names
// (QuoteQualified); values always travel as parameters; LIMIT and OFFSET are
// parameters too, and a Go slice in In binds one array (= ANY($1)), so the
// statement text does not depend on the values. Only functions named …Raw or
// …Named take trusted SQL. Raw fragments use ? placeholders, converted with
// norm's PostgreSQL lexer, which skips literals, quoted identifiers, dollar-quoted bodies and
// comments; ?? is a literal ? (jsonb operators). Bad input yields an *Error
// naming the call, wrapping a sentinel such as ErrInvalidIdentifier; nothing
// panics.
//
// # Models
//
// ModelOf parses `db` and `norm` struct tags once per type into a Model:
// table, columns, primary key, identity, unique groups, indexes, defaults,
// foreign keys, version and soft-delete columns. It is the one tag parser of
// norm, shared by repo and migrate. InsertStruct, UpdateStructByPK,
// UpsertStruct and DeleteByPK build fixed-shape statements from a struct,
// with their SQL text cached per model.
//
// # Pagination and scopes
//
// After and Before implement keyset pagination over mixed-direction sort
// keys with a tie-breaker; CursorCodec turns cursors into signed,
// tamper-evident tokens. Scope values and the date scopes (CreatedBetween,
// OnDate, LastN) package reusable filters with half-open ranges.
//
// See docs/guides/sqlb.md for a guide.
//
// # Go version
//
// The module needs Go 1.23 or later (the go line of its go.mod; CI builds
// and tests it with that release).
package sqlb
