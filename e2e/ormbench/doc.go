// Package ormbench measures repo's batch insert beside hand-written pgx,
// GORM and bun in one process (BenchmarkBatchORMs). It is a module of its
// own so that no norm module, e2e included, depends on another ORM.
package ormbench
