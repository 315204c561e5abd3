package observe

import (
	"strings"
	"testing"
)

// uuidBytes is a named 16-byte array, as UUID types of other packages
// are: Describe's type switch does not match it, reflection must.
type uuidBytes [16]byte

// TestDescribeArrays describes arrays that only reflection sees: a named
// 16-byte array is a uuid, an array of 16 other elements or of another
// length a sized list of its elements' type, also inside a slice.
func TestDescribeArrays(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"named 16-byte array", uuidBytes{1, 2}, "uuid"},
		{"16 int16s", [16]int16{}, "[]int2(16)"},
		{"4 ints", [4]int{1, 2, 3, 4}, "[]int8(4)"},
		{"16 strings", [16]string{}, "[]text(16)"},
		{"slice of uuids", [][16]byte{{1}, {2}}, "[]uuid(2)"},
		{"slice of named uuids", []uuidBytes{{1}}, "[]uuid(1)"},
		{"slice of 16 int16s", [][16]int16{{}}, "[][]int2(1)"},
		{"slice of int pairs", [][2]int{{1, 2}, {3, 4}, {5, 6}}, "[][]int8(3)"},
	}
	for _, tt := range tests {
		if got := Describe(tt.v); got != tt.want {
			t.Errorf("%s: Describe(%T) = %q, want %q", tt.name, tt.v, got, tt.want)
		}
	}
}

// TestRevealCapsAt256Bytes: a revealed value of exactly 256 bytes is
// logged whole; one byte more is cut to 256 and marked with "…".
func TestRevealCapsAt256Bytes(t *testing.T) {
	t.Parallel()
	m := &Mask{Reveal: []int{1}}
	exact := strings.Repeat("a", 256)
	if got := m.Value(1, exact); got != exact {
		t.Errorf("256-byte value revealed as %d bytes %q…, want it whole", len(got), got[max(0, len(got)-8):])
	}
	if got, want := m.Value(1, exact+"b"), exact+"…"; got != want {
		t.Errorf("257-byte value revealed as %q, want its first 256 bytes and …", got[max(0, len(got)-8):])
	}
}
