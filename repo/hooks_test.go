package repo

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

// hooked logs its hooks into the fake's log, so their order relative to
// statements and transaction control is visible.
type hooked struct {
	ID   int64  `db:"id" norm:"pk,identity"`
	Name string `db:"name"`

	db   *fakeDB `db:"-"`
	fail string  `db:"-"`
}

func (h *hooked) hook(name string) error {
	h.db.record(name, nil)
	if h.fail == name {
		return errors.New("refused by " + name)
	}
	return nil
}

func (h *hooked) BeforeCreate(context.Context) error { return h.hook("BeforeCreate") }

func (h *hooked) AfterCreate(context.Context) error { return h.hook("AfterCreate") }

func (h *hooked) BeforeUpdate(context.Context) error { return h.hook("BeforeUpdate") }

func (h *hooked) AfterUpdate(context.Context) error { return h.hook("AfterUpdate") }

func (h *hooked) BeforeDelete(context.Context) error { return h.hook("BeforeDelete") }

func (h *hooked) AfterDelete(context.Context) error { return h.hook("AfterDelete") }

type logCache struct{ db *fakeDB }

func (c logCache) Get(context.Context, string) (any, bool) { return nil, false }

func (c logCache) Set(context.Context, string, any, time.Duration) {}

func (c logCache) Delete(_ context.Context, keys ...string) {
	c.db.record("cache.Delete "+keys[0], nil)
}

func (c logCache) Audit(_ context.Context, r AuditRecord) error {
	c.db.record("audit "+r.Operation, nil)
	return nil
}

func TestHookOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name string
		fail string
		run  func(r *Repository[hooked], h *hooked) error
		want []string
	}{
		{"create", "", func(r *Repository[hooked], h *hooked) error { return r.Create(ctx, h) }, []string{
			"BEGIN", "BeforeCreate", `INSERT INTO "hookeds" ("name") VALUES ($1) RETURNING "id"`, "AfterCreate", "COMMIT", "cache.Delete norm:hookeds:0", "audit create"}},
		{"update", "", func(r *Repository[hooked], h *hooked) error { return r.Update(ctx, h) }, []string{
			"BEGIN", "BeforeUpdate", `UPDATE "hookeds" SET "name" = $1 FROM (SELECT "norm_b" AS "norm_row" FROM "hookeds" AS "norm_b" WHERE "norm_b"."id" = $2 FOR UPDATE) AS "norm_before" WHERE "id" = $3 RETURNING ("norm_before"."norm_row")."id", ("norm_before"."norm_row")."name"`, "AfterUpdate", "COMMIT", "cache.Delete norm:hookeds:0", "audit update"}},
		{"delete", "", func(r *Repository[hooked], h *hooked) error { return r.Delete(ctx, h) }, []string{
			"BEGIN", "BeforeDelete", `DELETE FROM "hookeds" WHERE "id" = $1`, "AfterDelete", "COMMIT", "cache.Delete norm:hookeds:0", "audit delete"}},
		{"before aborts", "BeforeCreate", func(r *Repository[hooked], h *hooked) error { return r.Create(ctx, h) }, []string{
			"BEGIN", "BeforeCreate", "ROLLBACK"}},
		{"after rolls back", "AfterUpdate", func(r *Repository[hooked], h *hooked) error { return r.Update(ctx, h) }, []string{
			"BEGIN", "BeforeUpdate", `UPDATE "hookeds" SET "name" = $1 FROM (SELECT "norm_b" AS "norm_row" FROM "hookeds" AS "norm_b" WHERE "norm_b"."id" = $2 FOR UPDATE) AS "norm_before" WHERE "id" = $3 RETURNING ("norm_before"."norm_row")."id", ("norm_before"."norm_row")."name"`, "AfterUpdate", "ROLLBACK"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := &fakeDB{affect: 1}
			lc := logCache{db: db}
			r, err := New[hooked](fakeBeginner{db}, WithCache(lc, time.Minute), WithAuditor(lc, nil))
			if err != nil {
				t.Fatal(err)
			}
			h := &hooked{db: db, fail: tc.fail}
			err = tc.run(r, h)
			if (tc.fail != "") != (err != nil) {
				t.Fatalf("error: %v", err)
			}
			if got := db.sqls(); !slices.Equal(got, tc.want) {
				t.Fatalf("order:\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

type found struct {
	ID   int64 `db:"id" norm:"pk"`
	seen *int  `db:"-"`
}

func (f *found) AfterFind(context.Context) error {
	if f.seen == nil {
		f.seen = new(int)
	}
	*f.seen++
	return nil
}

func TestAfterFindRunsOnReads(t *testing.T) {
	t.Parallel()
	db := &fakeDB{}
	r, err := New[found](db)
	if err != nil {
		t.Fatal(err)
	}
	got, err := r.FindByID(context.Background(), int64(1))
	if err != nil {
		t.Fatal(err)
	}
	if got.seen == nil || *got.seen != 1 {
		t.Fatalf("AfterFind not run once: %v", got.seen)
	}
}

type txAware struct {
	ID    int64 `db:"id" norm:"pk"`
	hadTx *bool `db:"-"`
}

func (x *txAware) BeforeCreate(ctx context.Context) error {
	_, ok := TxFrom(ctx)
	*x.hadTx = ok
	return nil
}

func TestHooksSeeTheirTransaction(t *testing.T) {
	t.Parallel()
	r, err := New[txAware](fakeBeginner{&fakeDB{affect: 1}})
	if err != nil {
		t.Fatal(err)
	}
	var had bool
	if err := r.Create(context.Background(), &txAware{ID: 1, hadTx: &had}); err != nil {
		t.Fatal(err)
	}
	if !had {
		t.Fatal("hook ctx does not carry the repository's transaction")
	}
	if _, ok := TxFrom(context.Background()); ok {
		t.Fatal("TxFrom outside an operation")
	}
}
