package repo

import (
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"
)

type Timestamps struct {
	CreatedAt time.Time `db:"created_at"`
}

type Audited struct {
	By string `db:"by"`
}

type embedded struct {
	ID int64 `db:"id"`
	Timestamps
	*Audited
	Name string `db:"name"`
}

type badTag struct {
	ID int64 `db:"id" norm:"uniq"`
}

type noColumns struct {
	hidden int //nolint:unused // a struct with no mapped field
}

func TestModelEdgeCases(t *testing.T) {
	t.Parallel()
	r, err := New[embedded](&fakeDB{})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Model().Columns(); !slices.Equal(got, []string{"id", "created_at", "by", "name"}) {
		t.Fatalf("embedded columns flattened: %v", got)
	}
	if got := r.Model().Table; got != "embeddeds" {
		t.Fatalf("table: %s", got)
	}
	// Scanning allocates a nil embedded pointer on the way.
	var e embedded
	dest := destAll(r.Model(), reflect.ValueOf(&e).Elem(), nil)
	*(dest[2].(*string)) = "me"
	if e.Audited == nil || e.By != "me" {
		t.Fatalf("embedded pointer not allocated: %+v", e)
	}

	if _, err := New[badTag](&fakeDB{}); err == nil || !contains(err.Error(), "uniq") {
		t.Fatalf("bad tag: want an error naming the token, got %v", err)
	}
	if _, err := New[noColumns](&fakeDB{}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("no columns: %v", err)
	}
	if _, err := New[int](&fakeDB{}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("non-struct: %v", err)
	}
	if _, err := New[embedded](nil); !errors.Is(err, ErrInvalid) {
		t.Fatalf("nil querier: %v", err)
	}
}
