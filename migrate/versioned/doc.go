// Package versioned runs versioned migrations: numbered SQL files
// (NNNN_name.up.sql / .down.sql, from any fs.FS) and Go functions, in one
// version space with one history table — the hand-written counterpart of
// package migrate, which plans a schema change from Go models.
//
//	mg, err := versioned.NewMigrator(db, files, versioned.MigratorOptions{})
//	results, err := mg.Up(ctx)
//
// A Migrator is an explicit value with no package-level registry. Each
// version runs in its own transaction holding the advisory lock LockKey
// (the key auto-migrations take too), so concurrent migrators apply every
// version exactly once; a file marked "-- norm:no-transaction" runs
// statement by statement on one dedicated connection under the session
// lock, and is recorded dirty until it has finished. Files are split into
// statements where psql would split them; applied files that changed are
// drift, down migrations with destructive statements are refused unless
// allowed, and DryRun reports every command without executing it.
//
// It takes a DB, any pool that hands out a dedicated connection (Acquire)
// — *pgxpool.Pool or norm's *pool.DB —, or one *pgx.Conn with
// NewMigratorConn. The guide is docs/guides/migrate-files.md.
package versioned
