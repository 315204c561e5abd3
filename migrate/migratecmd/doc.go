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
// Exit status: 0 success, 1 failure (including bad usage), 2 when
// `plan --check` finds unsafe or destructive steps.
package migratecmd
