// Package otel adapts observe to OpenTelemetry tracing: an observe.Observer
// producing one client span per database call, following the database
// semantic conventions. It is a module of its own so that users of the
// core observe package do not depend on OpenTelemetry.
//
// Spans carry db.system.name=postgresql, db.operation.name (select,
// insert, ..., batch, copy), db.query.text (the normalised statement:
// literals and parameter values are never included), db.namespace,
// server.address and server.port, and on failure db.response.status_code
// (the SQLSTATE), error.type and a masked error message. Config.Legacy
// adds the pre-1.26 names (db.system, db.operation, db.statement, db.name)
// for backends that still expect them.
//
// # Go version
//
// The module needs Go 1.25 or later (the go line of its go.mod; CI builds
// and tests it with that release).
package otel
