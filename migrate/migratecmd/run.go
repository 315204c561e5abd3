package migratecmd

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/normkit/norm/migrate"
)

// Exit statuses of Run.
const (
	ExitOK     = 0 // the command succeeded
	ExitError  = 1 // the command failed or the usage was wrong
	ExitUnsafe = 2 // plan --check found unsafe or destructive steps
	// ExitNeedsAttention: status found a version that is dirty, has
	// drift (an applied file changed) or is missing (applied, but no file
	// or Go migration has it). The status is printed in full first (as
	// JSON with --json); pending versions alone exit 0.
	ExitNeedsAttention = 3
)

const usage = `usage: migrate COMMAND [flags]

commands:
  up [--to V]          apply pending migrations (up to version V)
  down [N] [--to V]    roll back N versions (default 1), or every version above V
  redo                 roll back the last version and apply it again
  status               list versions: applied, pending, dirty, drift, missing
                       (exit 3 when a version is dirty, drifted or missing)
  baseline V           mark every version up to V applied without running it
  forget V             remove the record of a dirty version so up runs it again
  create NAME          write NNNN_NAME.up.sql and NNNN_NAME.down.sql in --dir
  plan [--check]       show the auto-migration plan from models (exit 2 with --check if unsafe)
  apply                apply the auto-migration plan from models
  erd                  print the schema as a Mermaid erDiagram: the models, or with
                       --dsn the live database (--schema s1,s2; default public)
  diff NAME            write the next NNNN_NAME.up.sql/.down.sql in --dir from the models:
                       the files are replayed on a scratch database (--dev-url) and the
                       models planned against it (online forms; steps outside a
                       transaction go in NNNN_NAME_online.up.sql); writes nothing when
                       the files already produce the models

exit status: 0 success, 1 failure or bad usage, 2 plan --check found unsafe
steps, 3 status found a dirty, drifted or missing version

flags:
`

// cmdline is one parsed command line.
type cmdline struct {
	command string
	args    []string
	dsn     string
	dir     string
	json    bool
	dryRun  bool
	check   bool
	destroy bool
	ooo     bool
	to      int64
	toSet   bool
	history string
	// devURL and allowDestructive are diff's --dev-url and
	// --allow-destructive.
	devURL           string
	allowDestructive bool
	// schemas is erd's --schema, comma-separated.
	schemas string
	// lockTimeout and stmtTimeout are nil unless given.
	lockTimeout, stmtTimeout *time.Duration
}

// Run executes one migrate command (args exclude the program name, e.g.
// ["up", "--dsn", "postgres://…"]) and returns the exit status. Results go
// to stdout (text, or JSON with --json); errors and progress to stderr.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer, opts Options) int {
	cl, err := parseArgs(args, stderr)
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			_, _ = fmt.Fprintf(stderr, "migrate: %v\n", err)
		}
		return ExitError
	}
	r := &runner{cl: cl, opts: opts, out: stdout, errOut: stderr}
	code, err := r.run(ctx)
	if err != nil {
		_, _ = fmt.Fprintf(stderr, "%v\n", err)
	}
	return code
}

// parseArgs reads the command and its flags; flags may come before or
// after positional arguments.
func parseArgs(args []string, stderr io.Writer) (cmdline, error) {
	var cl cmdline
	fset := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fset.SetOutput(stderr)
	fset.Usage = func() {
		_, _ = fmt.Fprint(stderr, usage)
		fset.PrintDefaults()
	}
	fset.StringVar(&cl.dsn, "dsn", "", "PostgreSQL connection string (default $DATABASE_URL); must not go through PgBouncer")
	fset.StringVar(&cl.dir, "dir", "", "migrations directory (default migrations)")
	fset.BoolVar(&cl.json, "json", false, "print results as JSON")
	fset.BoolVar(&cl.dryRun, "dry-run", false, "print what would be done and change nothing")
	fset.BoolVar(&cl.check, "check", false, "plan: exit 2 when a step is unsafe or destructive")
	fset.BoolVar(&cl.destroy, "allow-destructive-down", false, "down/redo: allow DROP TABLE/COLUMN/SCHEMA, TRUNCATE and DELETE")
	fset.BoolVar(&cl.ooo, "allow-out-of-order", false, "up: apply pending versions below the highest applied one")
	fset.Func("to", "up: last version to apply; down: version to roll back to", func(s string) error {
		v, err := strconv.ParseInt(s, 10, 64)
		cl.to, cl.toSet = v, true
		return err
	})
	fset.StringVar(&cl.devURL, "dev-url", "", "diff: scratch PostgreSQL server to replay the migrations on (diff creates and drops a database there)")
	fset.BoolVar(&cl.allowDestructive, "allow-destructive", false, "diff: write destructive steps (drops, narrowing), each with its hazard as a comment")
	fset.StringVar(&cl.schemas, "schema", "", "erd: schemas of the live database to draw, comma-separated (default public)")
	fset.StringVar(&cl.history, "history-table", "", "history table, table or schema.table (default schema_migrations)")
	fset.Func("lock-timeout", "lock_timeout for each migration, e.g. 10s; negative disables (default 5s)", durationFlag(&cl.lockTimeout))
	fset.Func("statement-timeout", "statement_timeout for each migration (default none)", durationFlag(&cl.stmtTimeout))
	var positional []string
	for {
		if err := fset.Parse(args); err != nil {
			return cl, err
		}
		if fset.NArg() == 0 {
			break
		}
		positional = append(positional, fset.Arg(0))
		args = fset.Args()[1:]
	}
	if len(positional) == 0 {
		fset.Usage()
		return cl, fmt.Errorf("missing command")
	}
	cl.command = positional[0]
	if len(positional) > 1 {
		cl.args = positional[1:]
	}
	return cl, nil
}

func durationFlag(dst **time.Duration) func(string) error {
	return func(s string) error {
		d, err := time.ParseDuration(s)
		*dst = &d
		return err
	}
}

// runner carries one command's state.
type runner struct {
	cl     cmdline
	opts   Options
	out    io.Writer
	errOut io.Writer
}

func (r *runner) run(ctx context.Context) (int, error) {
	switch r.cl.command {
	case "create":
		return r.create()
	case "up", "down", "redo", "status", "baseline", "forget":
		return r.withMigrator(ctx)
	case "plan", "apply":
		return r.auto(ctx)
	case "diff":
		return r.diff(ctx)
	case "erd":
		return r.erd(ctx)
	}
	return ExitError, fmt.Errorf("migrate: unknown command %q (want up, down, redo, status, baseline, forget, create, plan, apply, diff or erd)", r.cl.command)
}

func (r *runner) dirName() string {
	switch {
	case r.cl.dir != "":
		return r.cl.dir
	case r.opts.Dir != "":
		return r.opts.Dir
	}
	return "migrations"
}

func (r *runner) source() fs.FS {
	if r.opts.FS != nil && r.cl.dir == "" {
		return r.opts.FS
	}
	return os.DirFS(r.dirName())
}

// connect opens the database named by --dsn or DATABASE_URL.
func (r *runner) connect(ctx context.Context) (migrate.DB, func(), error) {
	dsn := r.cl.dsn
	if dsn == "" {
		getenv := r.opts.Getenv
		if getenv == nil {
			getenv = os.Getenv
		}
		dsn = getenv("DATABASE_URL")
	}
	if dsn == "" {
		return nil, nil, fmt.Errorf("migrate: no database: pass --dsn or set DATABASE_URL")
	}
	if r.opts.Connect != nil {
		return r.opts.Connect(ctx, dsn)
	}
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return nil, nil, fmt.Errorf("migrate: connect: %w", err)
	}
	return pool, pool.Close, nil
}

// positionalVersion parses the single version argument of baseline and
// forget.
func (r *runner) positionalVersion() (int64, error) {
	if len(r.cl.args) != 1 {
		return 0, fmt.Errorf("migrate: %s needs exactly one VERSION argument", r.cl.command)
	}
	v, err := strconv.ParseInt(r.cl.args[0], 10, 64)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("migrate: %s: version %q is not a positive integer", r.cl.command, r.cl.args[0])
	}
	return v, nil
}
