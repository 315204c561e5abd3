package migrate

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/normkit/norm/migrate/internal/lock"
)

// Allow opts in to destructive steps, kind by kind. The zero value allows
// none: such steps are planned and shown, and Apply refuses the plan.
type Allow struct {
	DropColumn     bool
	DropTable      bool
	DropIndex      bool
	DropConstraint bool
	// Narrowing allows type changes that may fail on or truncate values.
	Narrowing bool
}

func (a Allow) permits(k StepKind) bool {
	switch k {
	case DropColumn:
		return a.DropColumn
	case DropTable:
		return a.DropTable
	case DropIndex:
		return a.DropIndex
	case DropConstraint:
		return a.DropConstraint
	case NarrowType:
		return a.Narrowing
	}
	return true
}

// AutoOptions configures an AutoMigrator.
type AutoOptions struct {
	PlanOptions

	// Allow opts in to destructive steps. Default: none.
	Allow Allow

	// HistoryTable records, one row per Apply, the steps that ran (a
	// step after the commit only once it has succeeded). Default
	// "norm_auto_migrations" (in public; "schema.table" to choose), kept
	// apart from file migrations' schema_migrations.
	HistoryTable string

	// LockTimeout is set (transaction-locally) before every step, so a
	// step that waits for a table lock behind a long reader gives up
	// instead of queueing every other query behind itself. Default 5s.
	LockTimeout time.Duration

	// StatementTimeout bounds each statement. Default 0: none (a
	// concurrent index build on a large table can take long).
	StatementTimeout time.Duration

	// LockRetries is how many times a transaction that hit lock_timeout
	// (55P03) is retried, with exponential backoff. Default 5.
	LockRetries int

	// Progress, when set, receives one line per step as it runs.
	Progress func(line string)

	// OnIndexProgress, when set, receives samples of the index builds
	// Apply runs outside a transaction (CREATE INDEX CONCURRENTLY), read
	// every ProgressInterval from pg_stat_progress_create_index on a
	// second connection of the pool; it is called from another goroutine,
	// one call at a time, and must return quickly. An AutoMigrator over a
	// single connection (NewAutoConn) reports none. Progress is best
	// effort: a failed read stops the samples, never the migration.
	OnIndexProgress func(IndexProgress)
	// ProgressInterval is how often OnIndexProgress is called while an
	// index builds. Default 1s.
	ProgressInterval time.Duration
}

func (o AutoOptions) withDefaults() AutoOptions {
	if o.HistoryTable == "" {
		o.HistoryTable = "norm_auto_migrations"
	}
	if o.LockTimeout == 0 {
		o.LockTimeout = 5 * time.Second
	}
	if o.LockRetries == 0 {
		o.LockRetries = 5
	}
	if o.Progress == nil {
		o.Progress = func(string) {}
	}
	return o
}

// AutoMigrator migrates a database to the schema its models describe.
type AutoMigrator struct {
	db      lock.Target
	pool    DB // db as given to NewAuto, nil for NewAutoConn: samples index builds
	desired *Schema
	opts    AutoOptions
}

// NewAuto returns an AutoMigrator for models (see FromModels) over a pool:
// a *pgxpool.Pool or norm's *pool.DB (see DB). Apply holds one of its
// connections for the whole run. db must reach PostgreSQL directly, not
// through PgBouncer in transaction mode.
func NewAuto(db DB, models []any, opts AutoOptions) (*AutoMigrator, error) {
	if db == nil {
		return nil, fmt.Errorf("migrate: NewAuto: db is nil")
	}
	a, err := newAuto(lock.OnPool(db), models, opts)
	if err != nil {
		return nil, err
	}
	a.pool = db
	return a, nil
}

// NewAutoConn is NewAuto over a single connection, which then carries
// everything: reads, the migration lock and every step. conn must reach
// PostgreSQL directly and must not be used by anything else while a call
// of the AutoMigrator runs (a *pgx.Conn is not safe for concurrent use).
func NewAutoConn(conn *pgx.Conn, models []any, opts AutoOptions) (*AutoMigrator, error) {
	if conn == nil {
		return nil, fmt.Errorf("migrate: NewAutoConn: conn is nil")
	}
	return newAuto(lock.OnConn(conn), models, opts)
}

func newAuto(t lock.Target, models []any, opts AutoOptions) (*AutoMigrator, error) {
	desired, err := FromModels(models...)
	if err != nil {
		return nil, err
	}
	return &AutoMigrator{db: t, desired: desired, opts: opts.withDefaults()}, nil
}

// Desired returns the schema built from the models.
func (a *AutoMigrator) Desired() *Schema { return a.desired }

// Plan reads the live schema and returns what Apply would do now. It takes
// no lock and changes nothing: the models' defaults, generated columns and
// partial-index predicates are deparsed by the server in temporary tables
// of a transaction that is rolled back, so they compare exactly with the
// catalog (see the guide). An expression the server rejects is an
// *ExprError naming the model and field.
func (a *AutoMigrator) Plan(ctx context.Context) (*Plan, error) {
	conn, release, err := a.db.Dedicated(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	return a.plan(ctx, conn)
}

// plan reads the live schema and diffs it with the models. Everything
// runs on one connection, in a transaction (a savepoint when q is one)
// that is rolled back: the models' expressions are deparsed there by the
// server (see deparse), in the same session as the catalog is read.
func (a *AutoMigrator) plan(ctx context.Context, q planQuerier) (*Plan, error) {
	tx, err := q.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: begin planning: %w", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	opts := a.opts.PlanOptions
	if err := tx.QueryRow(ctx, "SELECT current_setting('server_version_num')::int").Scan(&opts.ServerVersion); err != nil {
		return nil, fmt.Errorf("migrate: read server version: %w", err)
	}
	current, err := ReadCatalog(ctx, tx, a.schemas()...)
	if err != nil {
		return nil, err
	}
	desired, err := deparse(ctx, tx, current, a.desired)
	if err != nil {
		return nil, err
	}
	return Diff(current, desired, opts), nil
}

// schemas lists the schemas of the models and of DropTables.
func (a *AutoMigrator) schemas() []string {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	add("public")
	for _, t := range a.desired.Tables {
		add(t.Schema)
	}
	for _, n := range a.opts.DropTables {
		s, _ := splitQualified(n)
		add(s)
	}
	return out
}

func (a *AutoMigrator) checkAllowed(p *Plan) error {
	var refused []string
	for _, s := range p.Steps {
		if s.Severity() == Destructive && !a.opts.Allow.permits(s.Kind) {
			refused = append(refused, fmt.Sprintf("%s on %s (%s)", s.Kind, s.Table, s.SQL))
		}
	}
	if len(refused) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s; set the matching AutoOptions.Allow field to apply them", ErrNotAllowed, strings.Join(refused, "; "))
}
