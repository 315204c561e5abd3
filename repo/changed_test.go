package repo

import (
	"database/sql"
	"encoding/json"
	"testing"
	"time"
)

func TestSameValue(t *testing.T) {
	t.Parallel()
	now := time.Date(2030, 1, 2, 3, 4, 5, 6, time.UTC)
	s1, s2, s3 := "a", "a", "b"
	tests := []struct {
		name string
		a, b any
		want bool
	}{
		{"time in two zones", now, now.In(time.FixedZone("x", 3600)), true},
		{"time differs", now, now.Add(time.Nanosecond), false},
		{"time pointers", &now, ptr(now.Local()), true},
		{"nil and non-nil pointer", (*string)(nil), &s1, false},
		{"two nil pointers", (*string)(nil), (*string)(nil), true},
		{"distinct pointers, same string", &s1, &s2, true},
		{"pointers to different strings", &s1, &s3, false},
		{"bytes", []byte("ab"), []byte("ab"), true},
		{"bytes differ", []byte("ab"), []byte("ac"), false},
		{"nil and empty bytes", []byte(nil), []byte{}, false},
		{"json raw message", json.RawMessage(`{"a":1}`), json.RawMessage(`{"a":1}`), true},
		{"null strings", sql.NullString{}, sql.NullString{String: "x"}, true}, // both NULL
		{"null string set", sql.NullString{}, sql.NullString{String: "x", Valid: true}, false},
		{"ints", int64(3), int64(3), true},
		{"floats", 1.5, 2.5, false},
		{"string slices", []string{"a"}, []string{"a"}, true},
		{"maps", map[string]any{"a": 1}, map[string]any{"a": 2}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := sameValue(tc.a, tc.b); got != tc.want {
				t.Fatalf("sameValue(%#v, %#v) = %v, want %v", tc.a, tc.b, got, tc.want)
			}
		})
	}
}

func ptr[V any](v V) *V { return &v }

type changedModel struct {
	ID        int64     `db:"id" norm:"pk"`
	Title     string    `db:"title"`
	Body      []byte    `db:"body"`
	Version   int       `db:"version" norm:"version"`
	UpdatedAt time.Time `db:"updated_at" norm:"on_update:now()"`
}

func TestChangedColumns(t *testing.T) {
	t.Parallel()
	r, err := New[changedModel](&fakeDB{})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	before := changedModel{ID: 1, Title: "a", Body: []byte("b"), Version: 1, UpdatedAt: at}
	tests := []struct {
		name  string
		after changedModel
		want  []string
	}{
		{"title", changedModel{ID: 1, Title: "x", Body: []byte("b"), Version: 2, UpdatedAt: at.Add(time.Second)}, []string{"title", "version", "updated_at"}},
		{"only maintained columns moved", changedModel{ID: 1, Title: "a", Body: []byte("b"), Version: 2, UpdatedAt: at.Add(time.Second)}, []string{}},
		{"body, same time", changedModel{ID: 1, Title: "a", Body: []byte("c"), Version: 1, UpdatedAt: at}, []string{"body"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := r.changedColumns(r.asMap(&before), r.asMap(&tc.after))
			if got == nil || len(got) != len(tc.want) {
				t.Fatalf("changed = %#v, want %#v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("changed = %q, want %q", got, tc.want)
				}
			}
		})
	}
}
