package repo

import (
	"context"
	"strconv"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// fakeDB is a Querier (and pgx.Tx when began) that records every
// statement and event in log and answers with no rows, or scanErr.
type fakeDB struct {
	mu      sync.Mutex
	log     []string
	args    [][]any
	scanErr error // returned by QueryRow().Scan
	affect  int64 // rows affected by Exec
	// row, when set, answers QueryRow().Scan instead of scanErr.
	row func(sql string, dest []any) error
}

func (f *fakeDB) record(s string, args []any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log = append(f.log, s)
	f.args = append(f.args, args)
}

func (f *fakeDB) Exec(_ context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	f.record(sql, args)
	return pgconn.NewCommandTag("UPDATE " + strconv.FormatInt(f.affect, 10)), nil
}

func (f *fakeDB) Query(_ context.Context, sql string, args ...any) (pgx.Rows, error) {
	f.record(sql, args)
	return &fakeRows{}, nil
}

func (f *fakeDB) QueryRow(_ context.Context, sql string, args ...any) pgx.Row {
	f.record(sql, args)
	if f.row != nil {
		return fakeRow{fn: func(dest []any) error { return f.row(sql, dest) }}
	}
	return fakeRow{err: f.scanErr}
}

func (f *fakeDB) sqls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.log...)
}

type fakeRow struct {
	err error
	fn  func(dest []any) error
}

func (r fakeRow) Scan(dest ...any) error {
	if r.fn != nil {
		return r.fn(dest)
	}
	return r.err
}

type fakeRows struct{}

func (*fakeRows) Close()                                       {}
func (*fakeRows) Err() error                                   { return nil }
func (*fakeRows) CommandTag() pgconn.CommandTag                { return pgconn.CommandTag{} }
func (*fakeRows) FieldDescriptions() []pgconn.FieldDescription { return nil }
func (*fakeRows) Next() bool                                   { return false }
func (*fakeRows) Scan(...any) error                            { return nil }
func (*fakeRows) Values() ([]any, error)                       { return nil, nil }
func (*fakeRows) RawValues() [][]byte                          { return nil }
func (*fakeRows) Conn() *pgx.Conn                              { return nil }
func (*fakeRows) TypeMap() *pgtype.Map                         { return nil }

// Begin makes fakeDB a Querier; the transaction logs BEGIN/COMMIT/ROLLBACK.
func (f *fakeDB) Begin(context.Context) (pgx.Tx, error) {
	f.record("BEGIN", nil)
	return &fakeTx{fakeDB: f}, nil
}

// CopyFrom makes fakeDB a Querier; it records the COPY and writes nothing.
func (f *fakeDB) CopyFrom(_ context.Context, table pgx.Identifier, _ []string, _ pgx.CopyFromSource) (int64, error) {
	f.record("COPY "+table.Sanitize(), nil)
	return 0, nil
}

// fakeBeginner is the fakeDB of tests written when Begin was optional.
type fakeBeginner struct{ *fakeDB }

type fakeTx struct {
	*fakeDB
	done bool
}

func (t *fakeTx) Begin(context.Context) (pgx.Tx, error) {
	t.record("SAVEPOINT", nil)
	return &fakeTx{fakeDB: t.fakeDB}, nil
}

func (t *fakeTx) Commit(context.Context) error {
	t.done = true
	t.record("COMMIT", nil)
	return nil
}

func (t *fakeTx) Rollback(context.Context) error {
	if !t.done {
		t.record("ROLLBACK", nil)
	}
	t.done = true
	return nil
}

func (t *fakeTx) SendBatch(context.Context, *pgx.Batch) pgx.BatchResults { return nil }
func (t *fakeTx) LargeObjects() pgx.LargeObjects                         { return pgx.LargeObjects{} }
func (t *fakeTx) Prepare(context.Context, string, string) (*pgconn.StatementDescription, error) {
	return nil, nil
}
func (t *fakeTx) Conn() *pgx.Conn { return nil }
