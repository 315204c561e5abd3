package sqlb

import (
	"strings"
	"testing"
)

// Sixteen columns each; embedded structs are flattened into their model.
type (
	WideA struct{ A00, A01, A02, A03, A04, A05, A06, A07, A08, A09, A10, A11, A12, A13, A14, A15 int }
	WideB struct{ B00, B01, B02, B03, B04, B05, B06, B07, B08, B09, B10, B11, B12, B13, B14, B15 int }
	WideC struct{ C00, C01, C02, C03, C04, C05, C06, C07, C08, C09, C10, C11, C12, C13, C14, C15 int }
	WideD struct {
		D00, D01, D02, D03, D04, D05, D06, D07, D08, D09, D10, D11, D12, D13, D14 int
		D15                                                                       int `norm:"default:8"` // the 65th column of Wide66
	}
)

// Wide64 has 64 columns, the most whose statements are cached; Last is
// the 64th.
type Wide64 struct {
	ID int64 `norm:"pk,identity"`
	WideA
	WideB
	WideC
	E00, E01, E02, E03, E04, E05, E06, E07, E08, E09, E10, E11, E12, E13 int
	Last                                                                 int `norm:"default:7"`
}

// Wide66 has 66 columns; D15, the 65th, and Last, the 66th, have a
// default.
type Wide66 struct {
	ID int64 `norm:"pk,identity"`
	WideA
	WideB
	WideC
	WideD
	Last int `norm:"default:7"`
}

// TestWideModelsLeaveZeroDefaults: a default: field holding its zero value
// is left to its column default (InsertStruct) or written as DEFAULT
// (UpsertStruct) wherever it is in the model, past the 64th field too,
// and a value there is written.
func TestWideModelsLeaveZeroDefaults(t *testing.T) {
	t.Parallel()
	w64, w66 := &Wide64{}, &Wide66{}
	for _, c := range []struct {
		name      string
		v         any
		defaulted []*int // the default: fields, zero at first
		returning string // InsertStruct's RETURNING when they are zero
		upsert    string // UpsertStruct's VALUES end then
		cols      int
	}{
		{"64 fields", w64, []*int{&w64.Last}, `RETURNING "id", "last"`, `$63, DEFAULT) ON CONFLICT`, 64},
		{"66 fields", w66, []*int{&w66.D15, &w66.Last}, `RETURNING "id", "d15", "last"`, `$64, DEFAULT, DEFAULT) ON CONFLICT`, 66},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, args, err := InsertStruct(c.v).ToSQL()
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasSuffix(s, c.returning) || len(args) != c.cols-1-len(c.defaulted) {
				t.Errorf("InsertStruct of zero defaults = %s (%d args), want them left to their default: … %s", s, len(args), c.returning)
			}
			s, _, err = UpsertStruct(c.v, []string{"id"}, nil).ToSQL()
			if err != nil || !strings.Contains(s, c.upsert) {
				t.Errorf("UpsertStruct of zero defaults = %s, %v; want … %s", s, err, c.upsert)
			}
			for _, p := range c.defaulted {
				*p = 5
			}
			s, args, err = InsertStruct(c.v).ToSQL()
			if err != nil || !strings.HasSuffix(s, `RETURNING "id"`) || len(args) != c.cols-1 || args[len(args)-1] != 5 {
				t.Errorf("InsertStruct of set defaults: %s %v %v, want them written", s, args, err)
			}
			s, args, err = UpsertStruct(c.v, []string{"id"}, nil).ToSQL()
			if err != nil || strings.Contains(s, "DEFAULT") || len(args) != c.cols || args[len(args)-1] != 5 {
				t.Errorf("UpsertStruct of set defaults: %s %v %v, want them bound", s, args, err)
			}
		})
	}
}

// TestWideModelStatementsCachedUpTo64Fields: the insert shapes of a
// 64-field model are cached like any other's; those of a wider model are
// built per call (the shape key holds 64 fields).
func TestWideModelStatementsCachedUpTo64Fields(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		v      any
		cached bool
	}{{&Wide64{}, true}, {&Wide66{}, false}} {
		m, rv, err := structModel("test", c.v)
		if err != nil {
			t.Fatal(err)
		}
		if err := InsertStruct(c.v).Err(); err != nil {
			t.Fatal(err)
		}
		_, cached := m.stmts.m.Load(shapeKey{kind: kindInsert, mask: insertMask(m, rv).lo})
		if cached != c.cached {
			t.Errorf("%T: insert shape cached = %v, want %v", c.v, cached, c.cached)
		}
	}
}
