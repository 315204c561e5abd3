package migrate_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/normkit/norm/migrate"
)

// TestLockTimeoutRetriesThenGivesUp: a long reader holds a lock on the
// table; the migration's ALTER gives up after lock_timeout instead of
// queueing every other query behind itself, retries, and finally reports
// 55P03; once the reader is gone it succeeds.
func TestLockTimeoutRetriesThenGivesUp(t *testing.T) {
	t.Parallel()
	db, conn := itemsV1(t)
	ctx := ctxT(t)
	readerConn := db.Conn(t)
	tx, err := readerConn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "SELECT count(*) FROM items"); err != nil {
		t.Fatal(err)
	}
	var lines []string
	opts := migrate.AutoOptions{LockTimeout: 100 * time.Millisecond, LockRetries: 2, Progress: func(l string) { lines = append(lines, l) }}
	start := time.Now()
	res, err := newAuto(t, conn, []any{owner{}, addNullable{}}, opts).Apply(ctx)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "55P03" {
		t.Fatalf("apply behind a reader: %v, want lock_not_available (55P03)", err)
	}
	if res == nil || res.Attempts != 3 {
		t.Errorf("attempts = %v, want 3 (1 + 2 retries)", res)
	}
	t.Logf("gave up after %s", time.Since(start).Round(time.Millisecond))
	retries := 0
	for _, l := range lines {
		if strings.HasPrefix(l, "lock timeout, retrying") {
			retries++
		}
	}
	if retries != 2 {
		t.Errorf("progress reported %d retries, want 2: %q", retries, lines)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := newAuto(t, conn, []any{owner{}, addNullable{}}, opts).Apply(ctx); err != nil {
		t.Fatalf("apply after the reader left: %v", err)
	}
}
