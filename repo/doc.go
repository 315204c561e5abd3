// Package repo provides a generic, typed Repository[T] over any pgx
// executor: a connection, a transaction, a pgxpool, or norm's pool.DB with
// routing and context-carried transactions.
//
// It covers the everyday data access of a service: CRUD by primary key
// (single or composite), conditional reads, offset and keyset pages, soft
// delete with default scoping, optimistic locking, upsert, bulk insert with
// COPY, relations with preload, hooks, read-through caching and audit. SQL
// for fixed-shape operations is built once per type from sqlb's model
// metadata, so the hot path costs what hand-written pgx code costs.
package repo
