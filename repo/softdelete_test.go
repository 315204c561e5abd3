package repo

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// softHooked is a soft-delete model with every write hook, logging into
// the fake like hooked does.
type softHooked struct {
	ID        int64      `db:"id" norm:"pk,identity"`
	Name      string     `db:"name"`
	DeletedAt *time.Time `db:"deleted_at"`

	db *fakeDB `db:"-"`
}

func (h *softHooked) hook(name string) error { h.db.record(name, nil); return nil }

func (h *softHooked) BeforeUpdate(context.Context) error { return h.hook("BeforeUpdate") }

func (h *softHooked) AfterUpdate(context.Context) error { return h.hook("AfterUpdate") }

func (h *softHooked) BeforeDelete(context.Context) error { return h.hook("BeforeDelete") }

func (h *softHooked) AfterDelete(context.Context) error { return h.hook("AfterDelete") }

// TestWriteOfSoftDeletedRowChangesNothing runs each write by key against a
// fake that finds no live row (what the database answers for a
// soft-deleted one): the statement carries the live-row condition, the
// call returns ErrNotFound, no After hook runs, the hook transaction rolls
// back, and neither the cache nor the auditor hears of it.
func TestWriteOfSoftDeletedRowChangesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const (
		update = `UPDATE "soft_hookeds" SET "name" = $1 FROM (SELECT "norm_b" AS "norm_row" FROM "soft_hookeds" AS "norm_b" WHERE "norm_b"."id" = $2 FOR UPDATE) AS "norm_before" WHERE "id" = $3 AND "deleted_at" IS NULL RETURNING "deleted_at", ("norm_before"."norm_row")."id", ("norm_before"."norm_row")."name", ("norm_before"."norm_row")."deleted_at"`
		fields = `UPDATE "soft_hookeds" SET "name" = $1 FROM (SELECT "norm_b" AS "norm_row" FROM "soft_hookeds" AS "norm_b" WHERE "norm_b"."id" = $2 FOR UPDATE) AS "norm_before" WHERE "id" = $3 AND "deleted_at" IS NULL RETURNING "id", "name", "deleted_at", ("norm_before"."norm_row")."id", ("norm_before"."norm_row")."name", ("norm_before"."norm_row")."deleted_at"`
		trash  = `UPDATE "soft_hookeds" SET "deleted_at" = $1 WHERE "id" = $2 AND "deleted_at" IS NULL RETURNING "deleted_at"`
		upsert = `INSERT INTO "soft_hookeds" ("id", "name", "deleted_at") VALUES ($1, $2, $3) ON CONFLICT ("id") DO UPDATE SET "name" = EXCLUDED."name" WHERE "soft_hookeds"."deleted_at" IS NULL RETURNING "id", "name", "deleted_at"`
	)
	tests := []struct {
		name string
		run  func(r *Repository[softHooked], h *softHooked) error
		want []string
	}{
		{"Update", func(r *Repository[softHooked], h *softHooked) error { return r.Update(ctx, h) },
			[]string{"BEGIN", "BeforeUpdate", update, "ROLLBACK"}},
		{"UpdateFields", func(r *Repository[softHooked], _ *softHooked) error {
			_, err := r.UpdateFields(ctx, int64(7), map[string]any{"name": "x"})
			return err
		}, []string{"BEGIN", fields, "ROLLBACK"}},
		{"Delete", func(r *Repository[softHooked], h *softHooked) error { return r.Delete(ctx, h) },
			[]string{"BEGIN", "BeforeDelete", trash, "ROLLBACK"}},
		{"Upsert", func(r *Repository[softHooked], h *softHooked) error { _, err := r.Upsert(ctx, h); return err },
			[]string{upsert}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := &fakeDB{affect: 0, scanErr: pgx.ErrNoRows}
			lc := logCache{db: db}
			r, err := New[softHooked](fakeBeginner{db}, WithCache(lc, time.Minute), WithAuditor(lc, nil))
			if err != nil {
				t.Fatal(err)
			}
			h := &softHooked{ID: 7, Name: "new", db: db}
			err = tc.run(r, h)
			if !errors.Is(err, ErrNotFound) || errors.Is(err, ErrStale) {
				t.Fatalf("want ErrNotFound, got %v", err)
			}
			if got := db.sqls(); !slices.Equal(got, tc.want) {
				t.Fatalf("statements and events:\n got %q\nwant %q", got, tc.want)
			}
			if h.Name != "new" || h.DeletedAt != nil {
				t.Fatalf("entity changed by a write that wrote nothing: %+v", h)
			}
		})
	}
}

// TestWithTrashedWritesSoftDeletedRow: the explicit view drops the
// condition, and a write that finds its row runs the After hook and then
// invalidates and audits as usual.
func TestWithTrashedWritesSoftDeletedRow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := &fakeDB{affect: 1}
	lc := logCache{db: db}
	r, err := New[softHooked](fakeBeginner{db}, WithCache(lc, time.Minute), WithAuditor(lc, nil))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Unix(0, 0)
	h := &softHooked{ID: 7, Name: "edited", DeletedAt: &at, db: db}
	if err := r.WithTrashed().Update(ctx, h); err != nil {
		t.Fatal(err)
	}
	want := []string{"BEGIN", "BeforeUpdate", `UPDATE "soft_hookeds" SET "name" = $1 FROM (SELECT "norm_b" AS "norm_row" FROM "soft_hookeds" AS "norm_b" WHERE "norm_b"."id" = $2 FOR UPDATE) AS "norm_before" WHERE "id" = $3 RETURNING "deleted_at", ("norm_before"."norm_row")."id", ("norm_before"."norm_row")."name", ("norm_before"."norm_row")."deleted_at"`,
		"AfterUpdate", "COMMIT", "cache.Delete norm:soft_hookeds:7", "audit update"}
	if got := db.sqls(); !slices.Equal(got, want) {
		t.Fatalf("statements and events:\n got %q\nwant %q", got, want)
	}
}

// TestSoftDeletedVersionedRowIsNotFoundNotStale checks the follow-up
// EXISTS of a versioned write that matched nothing: it carries the same
// scope as the write, so a soft-deleted row is ErrNotFound, and only
// through WithTrashed (where the row is in the view) ErrStale.
// HardDelete, which is never scoped, checks without the condition.
func TestSoftDeletedVersionedRowIsNotFoundNotStale(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const (
		scoped   = `SELECT EXISTS (SELECT 1 FROM "app"."users" WHERE "id" = $1 AND "deleted_at" IS NULL)`
		unscoped = `SELECT EXISTS (SELECT 1 FROM "app"."users" WHERE "id" = $1)`
	)
	// The row exists, soft-deleted: the write matches nothing, the
	// unscoped EXISTS finds it, the scoped one does not.
	db := &fakeDB{affect: 0, row: func(sql string, dest []any) error {
		if !strings.HasPrefix(sql, "SELECT EXISTS") {
			return pgx.ErrNoRows
		}
		*(dest[0].(*bool)) = sql == unscoped
		return nil
	}}
	r, err := New[gUser](db)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		run    func() error
		want   error
		exists string
	}{
		{"Update", func() error { return r.Update(ctx, &gUser{ID: 1, Version: 3}) }, ErrNotFound, scoped},
		{"UpdateFields", func() error {
			_, err := r.UpdateFields(ctx, int64(1), map[string]any{"email": "x", "version": 3})
			return err
		}, ErrNotFound, scoped},
		{"Delete", func() error { return r.Delete(ctx, &gUser{ID: 1, Version: 3}) }, ErrNotFound, scoped},
		{"WithTrashed Update", func() error { return r.WithTrashed().Update(ctx, &gUser{ID: 1, Version: 3}) }, ErrStale, unscoped},
		{"HardDelete", func() error { return r.HardDelete(ctx, &gUser{ID: 1, Version: 3}) }, ErrStale, unscoped},
	}
	for _, tc := range tests {
		db.mu.Lock()
		db.log = nil
		db.mu.Unlock()
		err := tc.run()
		if !errors.Is(err, tc.want) || (errors.Is(err, ErrNotFound) && errors.Is(err, ErrStale)) {
			t.Fatalf("%s: want %v, got %v", tc.name, tc.want, err)
		}
		got := db.sqls()
		if len(got) != 2 || got[1] != tc.exists {
			t.Fatalf("%s: follow-up check:\n got %q\nwant %s", tc.name, got, tc.exists)
		}
	}
}

// TestUpsertBatchOfSoftDeletedConflictFailsWhole: a statement that returns
// fewer rows than it was given (DO UPDATE skipped a soft-deleted row) is
// ErrNotFound, rolled back, and the items are left as given.
func TestUpsertBatchOfSoftDeletedConflictFailsWhole(t *testing.T) {
	t.Parallel()
	db := &fakeDB{} // its Query returns no row at all
	r, err := New[softHooked](fakeBeginner{db})
	if err != nil {
		t.Fatal(err)
	}
	items := []softHooked{{ID: 1, Name: "a"}, {ID: 2, Name: "b"}}
	want := slices.Clone(items)
	n, err := r.UpsertBatch(context.Background(), items)
	if !errors.Is(err, ErrNotFound) || n != 0 || !contains(err.Error(), "2 of 2 rows") {
		t.Fatalf("want ErrNotFound naming 2 of 2 rows, got %d, %v", n, err)
	}
	if got := db.sqls(); len(got) != 3 || got[0] != "BEGIN" || got[2] != "ROLLBACK" ||
		!strings.HasSuffix(got[1], `WHERE "soft_hookeds"."deleted_at" IS NULL RETURNING "id", "name", "deleted_at"`) {
		t.Fatalf("statements: %q", got)
	}
	if !slices.Equal(items, want) {
		t.Fatalf("items changed: %+v", items)
	}
	// Through WithTrashed one statement is enough: no transaction.
	db2 := &fakeDB{}
	r2, err := New[softHooked](db2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r2.WithTrashed().UpsertBatch(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	if got := db2.sqls(); len(got) != 1 || strings.Contains(got[0], "deleted_at\" IS NULL") {
		t.Fatalf("statements: %q", got)
	}
}

type hiddenStamp struct {
	By string `db:"by"`
}

type withHiddenStamp struct {
	ID int64 `db:"id" norm:"pk"`
	*hiddenStamp
}

// TestNewRefusesUnexportedEmbeddedPointer: reading rows would have to
// allocate the embedded pointer, which reflection may not do for an
// unexported type; New says so instead of a panic on the first Find.
func TestNewRefusesUnexportedEmbeddedPointer(t *testing.T) {
	t.Parallel()
	_, err := New[withHiddenStamp](&fakeDB{})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "hiddenStamp") {
		t.Fatalf("New = %v, want ErrInvalid naming hiddenStamp", err)
	}
}
