package migrate

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/normkit/norm/migrate/internal/lock"
)

// ApplyResult describes one Apply.
type ApplyResult struct {
	// Plan is the plan made inside the lock (empty when another migrator
	// had already done the work).
	Plan     *Plan
	Duration time.Duration
	// Attempts is how many times the transactional part ran (more than one
	// after lock timeouts).
	Attempts int
}

// Apply brings the database to the models' schema:
//
//  1. It takes the advisory lock LockKey as a session lock on one
//     dedicated connection, polling with pg_try_advisory_lock rather than
//     waiting inside a statement: a waiting statement holds a snapshot,
//     and a concurrent index build by the lock holder would wait for it.
//  2. In one transaction (also holding pg_advisory_xact_lock, with
//     lock_timeout and statement_timeout set locally) it re-reads the
//     catalog and re-plans — so of concurrent migrators the later ones
//     find nothing to do —, refuses destructive steps not allowed, runs the
//     transactional steps and records them in the history table, and
//     commits. A step that hits lock_timeout (55P03) rolls the attempt
//     back and retries it with backoff.
//  3. With no transaction open, it re-plans again and runs the steps that
//     cannot run in a transaction (CREATE INDEX CONCURRENTLY, VALIDATE),
//     one by one, adding each to the same history row once it has
//     succeeded. An INVALID index left by an earlier failed build is
//     dropped and rebuilt.
//
// The history row of an Apply thus lists exactly the steps that ran: after
// a failure outside the transaction it lacks the failed step and those
// after it, which the next Apply plans, runs and records.
//
// A failure in step 2 leaves the schema exactly as it was; the error is a
// *StepError naming the step and its SQL.
func (a *AutoMigrator) Apply(ctx context.Context) (*ApplyResult, error) {
	start := time.Now()
	conn, release, err := lock.Hold(ctx, a.db) // the session lock and the steps outside a transaction share it
	if err != nil {
		return nil, err
	}
	defer release()
	res := &ApplyResult{}
	var rec *historyRecord
	if res.Plan, rec, res.Attempts, err = a.applyTransactional(ctx, conn); err != nil {
		return res, err
	}
	if err := a.applyOutsideTx(ctx, conn, rec); err != nil {
		return res, err
	}
	res.Duration = time.Since(start)
	return res, nil
}

func (a *AutoMigrator) applyTransactional(ctx context.Context, conn *pgx.Conn) (*Plan, *historyRecord, int, error) {
	for attempt := 1; ; attempt++ {
		plan, rec, err := a.runTransaction(ctx, conn)
		if err == nil || !isLockTimeout(err) || attempt > a.opts.LockRetries {
			return plan, rec, attempt, err
		}
		backoff := time.Duration(rand.Int64N(int64(100*time.Millisecond) << min(attempt, 6)))
		a.opts.Progress(fmt.Sprintf("lock timeout, retrying in %s (attempt %d of %d)", backoff.Round(time.Millisecond), attempt+1, a.opts.LockRetries+1))
		select {
		case <-ctx.Done():
			return plan, rec, attempt, errors.Join(err, ctx.Err())
		case <-time.After(backoff):
		}
	}
}

func isLockTimeout(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "55P03"
}

// runTransaction runs the transactional steps and records them, and only
// them, in the history: the steps that run after the commit are recorded
// as each succeeds (see applyOutsideTx).
func (a *AutoMigrator) runTransaction(ctx context.Context, conn *pgx.Conn) (plan *Plan, rec *historyRecord, err error) {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("migrate: begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	if err := a.prepareTx(ctx, tx); err != nil {
		return nil, nil, err
	}
	if plan, err = a.plan(ctx, tx); err != nil {
		return nil, nil, err
	}
	if err := a.checkAllowed(plan); err != nil {
		return plan, nil, err
	}
	rec = newHistoryRecord(a.opts.HistoryTable, plan)
	if err := a.runSteps(ctx, tx, 0, plan, true, nil); err != nil {
		return plan, nil, err
	}
	if err := rec.add(ctx, tx, transactionalSteps(plan)...); err != nil {
		return plan, nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return plan, nil, fmt.Errorf("migrate: commit: %w", err)
	}
	return plan, rec, nil
}

func (a *AutoMigrator) prepareTx(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1), set_config('lock_timeout', $2, true), set_config('statement_timeout', $3, true)",
		LockKey, durationSetting(a.opts.LockTimeout), durationSetting(a.opts.StatementTimeout))
	if err != nil {
		return fmt.Errorf("migrate: lock and set timeouts: %w", err)
	}
	hist, err := quoteQualified(a.opts.HistoryTable)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS `+hist+` (
		id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		checksum text NOT NULL,
		plan jsonb NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now())`)
	if err != nil {
		return fmt.Errorf("migrate: create history table %s: %w", a.opts.HistoryTable, err)
	}
	return nil
}

func durationSetting(d time.Duration) string {
	return fmt.Sprintf("%dms", d.Milliseconds())
}

func quoteQualified(name string) (string, error) {
	schema, table := splitQualified(name)
	if table == "" || schema == "" {
		return "", fmt.Errorf("migrate: bad table name %q", name)
	}
	return (&Table{Schema: schema, Name: table}).quoted(), nil
}

// runSteps runs the plan's steps that are (or are not) transactional, in
// order, calling done, when set, after each one that succeeded. pid, when
// not 0, is the backend q runs on, whose index builds are sampled.
func (a *AutoMigrator) runSteps(ctx context.Context, q Querier, pid uint32, plan *Plan, transactional bool, done func(Step) error) error {
	for _, s := range plan.Steps {
		if s.Transactional != transactional {
			continue
		}
		a.opts.Progress(fmt.Sprintf("%s %s", s.Kind, s.Table))
		stop := func() {}
		if pid != 0 {
			stop = a.watchStep(ctx, pid, s)
		}
		_, err := q.Exec(ctx, s.SQL)
		stop()
		if err != nil {
			return &StepError{Step: s, Err: err}
		}
		if done != nil {
			if err := done(s); err != nil {
				return err
			}
		}
	}
	return nil
}

// applyOutsideTx re-plans with no transaction open and runs what must run
// outside one, adding each step to the history record once it has
// succeeded: a step that fails (an index build the server terminated)
// is not claimed, and the next Apply plans it again. The connection holds
// the session lock; lock_timeout is set for the session and reset before
// the connection goes back.
func (a *AutoMigrator) applyOutsideTx(ctx context.Context, conn *pgx.Conn, rec *historyRecord) error {
	plan, err := a.plan(ctx, conn)
	if err != nil {
		return err
	}
	pending := 0
	for _, s := range plan.Steps {
		if s.Transactional {
			return fmt.Errorf("migrate: schema changed while migrating: %s on %s is pending again", s.Kind, s.Table)
		}
		pending++
	}
	if pending == 0 {
		return nil
	}
	if err := a.checkAllowed(plan); err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, "SELECT set_config('lock_timeout', $1, false)", durationSetting(a.opts.LockTimeout)); err != nil {
		return fmt.Errorf("migrate: set lock_timeout: %w", err)
	}
	defer func() { _, _ = conn.Exec(context.WithoutCancel(ctx), "RESET lock_timeout") }()
	return a.runSteps(ctx, conn, conn.PgConn().PID(), plan, false, func(s Step) error { return rec.add(ctx, conn, s) })
}
