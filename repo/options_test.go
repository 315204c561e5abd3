package repo

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

type optAuthor struct {
	ID    int64     `db:"id" norm:"pk"`
	Posts []optPost `db:"-"`
}

type optPost struct {
	ID       int64 `db:"id" norm:"pk"`
	AuthorID int64 `db:"author_id"`
}

// TestNewRefusesBadOptions: an option given input it cannot use makes New
// fail with ErrInvalid naming the option; before, each was silently
// ignored (or, for WithRelation, failed only at the first Load).
func TestNewRefusesBadOptions(t *testing.T) {
	t.Parallel()
	lru := NewLRU(10, time.Minute, nil)
	tests := []struct {
		name string
		opt  Option
		want string
	}{
		{"nil clock", WithClock(nil), "WithClock(nil)"},
		{"nil cache", WithCache(nil, time.Minute), "WithCache(nil)"},
		{"negative TTL", WithCache(lru, -time.Second), "negative TTL -1s"},
		{"empty cache prefix", WithCachePrefix(""), `WithCachePrefix("")`},
		{"nil invalidate keys", WithInvalidateKeys(nil), "WithInvalidateKeys(nil)"},
		{"nil auditor", WithAuditor(nil, func(error) {}), "WithAuditor(nil)"},
		{"relation without fk", WithRelation(Relation{Field: "Posts", Kind: HasMany}), "WithRelation(Posts)"},
		{"relation on no field", WithRelation(Relation{Field: "Comments", Kind: HasMany, FK: "author_id"}), "WithRelation(Comments)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := New[optAuthor](&fakeDB{}, tc.opt)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New = %v, %v; want ErrInvalid naming %s", r, err, tc.want)
			}
		})
	}
}

// TestNewKeepsGoodOptions: the same options with usable input build a
// repository that uses them.
func TestNewKeepsGoodOptions(t *testing.T) {
	t.Parallel()
	at := time.Unix(100, 0)
	r, err := New[optAuthor](&fakeDB{},
		WithClock(func() time.Time { return at }),
		WithCache(NewLRU(10, time.Minute, nil), 0),
		WithCachePrefix("p:"),
		WithInvalidateKeys(func(Key) []string { return nil }),
		WithAuditor(nopAuditor{}, nil),
		WithRelation(Relation{Field: "Posts", Kind: HasMany, FK: "author_id"}),
		nil, // skipped
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.cfg.now(); !got.Equal(at) {
		t.Errorf("clock = %v, want %v", got, at)
	}
	if r.cfg.cacheTTL != 5*time.Minute || r.cfg.cachePfx != "p:" || r.cfg.extraKeys == nil || r.cfg.auditor == nil {
		t.Errorf("options not applied: %+v", r.cfg)
	}
}

// TestUpsertRefusesContradictoryOptions: options that would silently drop
// one another are ErrInvalid with nothing sent; before, the later or the
// stronger one won (the constraint over the columns, DoNothing over the
// update set, the primary key for an empty column list).
func TestUpsertRefusesContradictoryOptions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name string
		opts []UpsertOption
		want string
	}{
		{"no conflict columns", []UpsertOption{OnConflict()}, "OnConflict() names no column"},
		{"empty constraint", []UpsertOption{OnConstraint("")}, `OnConstraint("")`},
		{"two targets", []UpsertOption{OnConflict("email"), OnConstraint("users_email_key")}, "both name a conflict target"},
		{"nothing and update", []UpsertOption{DoNothing(), UpdateColumns("email")}, "DoNothing and UpdateColumns"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := &fakeDB{affect: 1}
			r, err := New[gUser](db)
			if err != nil {
				t.Fatal(err)
			}
			_, err = r.Upsert(ctx, &gUser{Email: "a"}, tc.opts...)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Upsert = %v, want ErrInvalid saying %q", err, tc.want)
			}
			_, err = r.UpsertBatch(ctx, nil, tc.opts...)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("UpsertBatch = %v, want ErrInvalid saying %q", err, tc.want)
			}
			if got := db.sqls(); len(got) != 0 {
				t.Fatalf("sent %q", got)
			}
		})
	}
}

type nopAuditor struct{}

func (nopAuditor) Audit(context.Context, AuditRecord) error { return nil }
