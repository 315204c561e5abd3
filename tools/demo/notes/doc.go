// Package notes is the service behind make demo: a small multi-tenant
// notes API written the way norm recommends writing one. Models carry
// norm tags (models.go); the schema comes from an auto-migration plus one
// SQL-file migration holding the row-level-security policies generated
// by rlsutil (schema.go, migrations/); pool routes reads to a streaming
// replica (read.go); repo does CRUD, soft delete, optimistic locking,
// preload and keyset pages (handlers_*.go); observe writes the slow-query
// log, the audit trail of note changes and the metrics (observe.go).
//
// Run drives the whole demo: it opens the service, serves it on a free
// loopback port, plays the scripted client (client.go, script.go) and
// returns the narrated report (report.go), then shuts everything down.
package notes
