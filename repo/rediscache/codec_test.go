package rediscache

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

type Base struct {
	CreatedAt time.Time `db:"created_at"`
}

type row struct {
	ID     int64    `db:"id" norm:"pk"`
	Secret string   `db:"secret" json:"-"`
	Nick   *string  `db:"nick"`
	Blob   []byte   `db:"blob"`
	Score  float64  `db:"score"`
	Tags   []string `db:"tags"`
	*Base
}

// rowV2 is the same table with another column: another fingerprint.
type rowV2 struct {
	ID     int64  `db:"id" norm:"pk"`
	Secret string `db:"secret"`
	Extra  int    `db:"extra"`
}

func (rowV2) TableName() string { return "rows" }
func (row) TableName() string   { return "rows" }

func TestCodecRoundTripsTheColumns(t *testing.T) {
	t.Parallel()
	c, err := codecOf[row]()
	if err != nil {
		t.Fatal(err)
	}
	nick := "n\"<&>"
	at := time.Date(2026, 12, 2, 3, 4, 5, 6000, time.UTC)
	tests := []struct {
		name string
		in   row
	}{
		{"every field set", row{ID: 7, Secret: "s3", Nick: &nick, Blob: []byte{0, 1, 255}, Score: 1.5, Tags: []string{"a"}, Base: &Base{CreatedAt: at}}},
		{"nil pointers and slices", row{ID: 8}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := c.encode(&tt.in)
			if err != nil {
				t.Fatal(err)
			}
			var out row
			if err := c.decode(b, &out); err != nil {
				t.Fatalf("decode %q: %v", b, err)
			}
			want := tt.in
			if want.Base == nil { // the embedded pointer is allocated for its column
				want.Base = &Base{}
			}
			if !reflect.DeepEqual(out, want) {
				t.Fatalf("round trip:\n got %+v\nwant %+v", out, want)
			}
			if strings.Contains(string(b), "\\u003c") {
				t.Fatalf("HTML-escaped: %q", b)
			}
		})
	}
}

func TestCodecRejectsWhatItCannotCarry(t *testing.T) {
	t.Parallel()
	c1, err := codecOf[row]()
	if err != nil {
		t.Fatal(err)
	}
	c2, err := codecOf[rowV2]()
	if err != nil {
		t.Fatal(err)
	}
	b, err := c2.encode(&rowV2{ID: 1})
	if err != nil {
		t.Fatal(err)
	}
	var r row
	if err := c1.decode(b, &r); !errors.Is(err, errOtherVersion) {
		t.Fatalf("entry of another version: %v, want errOtherVersion", err)
	}
	if err := c1.decode([]byte("short"), &r); !errors.Is(err, errOtherVersion) {
		t.Fatalf("short entry: %v", err)
	}
	if _, err := c1.encode(&row{Score: math.NaN()}); err == nil || !strings.Contains(err.Error(), "score") {
		t.Fatalf("NaN: %v, want an error naming the column", err)
	}
	if _, err := codecOf[int](); err == nil {
		t.Fatal("a non-struct got a codec")
	}
}
