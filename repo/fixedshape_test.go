package repo

import (
	"context"
	"testing"
	"time"
	"unsafe"
)

// TestFixedShapeSQLIsNotRebuilt checks that the fixed-shape statements
// reuse one SQL text per type: two calls pass the very same string data.
func TestFixedShapeSQLIsNotRebuilt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := &fakeDB{affect: 1}
	r, err := New[gUser](db, WithClock(func() time.Time { return time.Unix(0, 0) }))
	if err != nil {
		t.Fatal(err)
	}
	p, err := New[gPlain](db)
	if err != nil {
		t.Fatal(err)
	}
	ops := []struct {
		name string
		run  func() error
	}{
		{"FindByID", func() error { _, err := r.FindByID(ctx, int64(1)); return err }},
		{"Create", func() error { return r.Create(ctx, &gUser{Email: "a"}) }},
		{"Update", func() error { return r.Update(ctx, &gUser{ID: 1}) }},
		{"Delete (soft)", func() error { return r.Delete(ctx, &gUser{ID: 1}) }},
		{"Restore", func() error { return r.Restore(ctx, &gUser{ID: 1}) }},
		{"HardDelete", func() error { return r.HardDelete(ctx, &gUser{ID: 1}) }},
		{"Delete composite", func() error { return p.Delete(ctx, &gPlain{TeamID: 1, UserID: 2}) }},
		{"Upsert", func() error { _, err := r.Upsert(ctx, &gUser{Email: "a"}, OnConflict("email")); return err }},
	}
	for _, op := range ops {
		db.log = nil
		if err := op.run(); err != nil {
			t.Fatalf("%s: %v", op.name, err)
		}
		if err := op.run(); err != nil {
			t.Fatalf("%s: %v", op.name, err)
		}
		got := db.sqls()
		if len(got) != 2 || got[0] != got[1] {
			t.Fatalf("%s: %q", op.name, got)
		}
		if unsafe.StringData(got[0]) != unsafe.StringData(got[1]) {
			t.Fatalf("%s: SQL text rebuilt on the second call", op.name)
		}
	}
}
