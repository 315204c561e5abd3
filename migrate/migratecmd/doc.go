// Package migratecmd is the command layer of norm's migrations: the
// `migrate up|down|redo|status|baseline|forget|create|plan|apply|diff|erd`
// commands behind normctl, packaged so an application can offer the same
// commands from its own cmd/migrate/main.go with its Go migrations and
// models:
//
//	func main() {
//		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
//		defer stop()
//		os.Exit(migratecmd.Run(ctx, os.Args[1:], os.Stdout, os.Stderr, migratecmd.Options{
//			FS: migrations.FS, // an embed.FS with NNNN_name.up.sql files
//			Go: []migratecmd.GoMigration{{Version: 3, Name: "backfill", Up: backfill}},
//		}))
//	}
//
// `diff NAME` generates the next versioned files from the models (see
// Models): it replays the existing files on a scratch database (--dev-url,
// else Options.DevDatabase, else a throwaway server from the local
// PostgreSQL binaries), plans the models against it in online form as
// if every table held rows, and writes NNNN_NAME.up.sql with the
// transactional steps, NNNN_NAME_online.up.sql with the steps that run
// outside a transaction (with the no-transaction directive), and a down
// file for each, planned back to the schema before it. Before writing, it
// applies the files on the scratch database and checks that the models
// then plan empty, so running `diff` again writes nothing. Destructive
// steps need --allow-destructive.
//
// `erd` prints the schema as a Mermaid erDiagram (migrate.ERD): the
// models, or with --dsn the live database.
//
// Exit status (the Exit… constants): 0 success, 1 failure (including bad
// usage), 2 when `plan --check` finds unsafe or destructive steps, 3 when
// `status` finds a version that needs attention — dirty, drift (an applied
// up or down file changed) or missing (recorded as applied, but no file or
// Go migration has it). status prints the full table (or JSON with --json)
// before exiting 3 and names each such version and what to do on stderr;
// pending versions alone are normal and exit 0, so CI can run
// `migrate status` as a health check.
package migratecmd
