// Package migratecmd is the command layer of norm's migrations: the
// `migrate up|down|redo|status|baseline|forget|create|plan|apply`
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
// Exit status (the Exit… constants): 0 success, 1 failure (including bad
// usage), 2 when `plan --check` finds unsafe or destructive steps, 3 when
// `status` finds a version that needs attention — dirty, drift (an applied
// up or down file changed) or missing (recorded as applied, but no file or
// Go migration has it). status prints the full table (or JSON with --json)
// before exiting 3 and names each such version and what to do on stderr;
// pending versions alone are normal and exit 0, so CI can run
// `migrate status` as a health check.
package migratecmd
