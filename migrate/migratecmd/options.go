package migratecmd

import (
	"context"
	"io/fs"

	"github.com/normkit/norm/migrate"
	"github.com/normkit/norm/migrate/versioned"
)

// Options configures Run. The zero value serves normctl: migrations from
// the directory given by --dir (default "migrations"), the database from
// --dsn or DATABASE_URL.
type Options struct {
	// Dir is the migrations directory when --dir is not given. Default
	// "migrations". `create` writes its files there.
	Dir string
	// FS, when set, is read instead of Dir (for example an embed.FS);
	// --dir still overrides it. `diff` always reads and writes the
	// directory (--dir, else Dir), never FS: it adds files there.
	FS fs.FS
	// Go lists Go migrations added to the file migrations (one version
	// space).
	Go []GoMigration
	// Migrator is the base configuration of the Migrator; the flags
	// --dry-run, --allow-destructive-down and --allow-out-of-order turn on
	// the matching fields.
	Migrator versioned.MigratorOptions
	// Auto is the extension point for model-driven migrations: when set,
	// `plan` and `apply` call it with the open database. Nil makes those
	// commands fail with a message saying models are needed. `diff` and
	// `erd` need the models themselves, so they work when Auto was made
	// by Models; erd calls it with a nil db to find them (return an error
	// for a nil db, as migrate.NewAuto does, and erd reads the database).
	Auto func(db migrate.DB) (AutoMigrator, error)
	// Connect opens the database for a DSN; the returned function closes
	// it. Default: pgxpool.New (a *pool.DB serves too: see migrate.DB).
	// The DSN must reach PostgreSQL directly,
	// not through PgBouncer in transaction mode (advisory locks).
	Connect func(ctx context.Context, dsn string) (migrate.DB, func(), error)
	// DevDatabase starts a scratch PostgreSQL server for `diff` when
	// --dev-url is not given, and returns its URL and a function that
	// stops it (tools/pgtest, a container, …). Default nil: a throwaway
	// server from the local PostgreSQL binaries (initdb into a temporary
	// directory, a Unix socket only, removed afterwards; as root it runs
	// as the postgres OS user); without binaries, diff asks for
	// --dev-url.
	DevDatabase func(ctx context.Context) (url string, stop func(), err error)
	// Getenv reads DATABASE_URL; default os.Getenv.
	Getenv func(key string) string
}

// GoMigration is a Go migration handed to Run (see Migrator.AddGo).
type GoMigration struct {
	Version  int64
	Name     string
	Up, Down versioned.GoFunc
}

// AutoMigrator is what `plan` and `apply` need from model-driven
// migrations (migrate.AutoMigrator, adapted by the caller).
type AutoMigrator interface {
	// Plan computes the change from the live schema to the models
	// without applying it.
	Plan(ctx context.Context) (AutoPlan, error)
	// Apply plans and applies under the migration lock and returns what
	// it applied.
	Apply(ctx context.Context) (AutoPlan, error)
}

// AutoPlan is a computed auto-migration plan as the commands print it.
type AutoPlan interface {
	// Text renders the plan for a terminal or a code review.
	Text() string
	// JSON renders the plan for machines.
	JSON() ([]byte, error)
	// Empty reports whether there is nothing to do.
	Empty() bool
	// Unsafe reports whether any step has an unsafe or destructive
	// hazard (`plan --check` then exits 2).
	Unsafe() bool
}
