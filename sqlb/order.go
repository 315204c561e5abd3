package sqlb

import (
	"strings"
)

// SortKey is one ORDER BY item on a column: injection-proof, since the
// column is quoted and the direction is not text. Make one with Asc or
// Desc.
type SortKey struct {
	Column string // qualified column name, as given
	Desc   bool
	Nulls  Nulls
}

// Nulls places NULLs in an ordering.
type Nulls int8

// NULLS placement; NullsDefault lets PostgreSQL decide (last for ASC,
// first for DESC).
const (
	NullsDefault Nulls = iota
	NullsFirst
	NullsLast
)

// Asc orders by col ascending.
func Asc(col string) SortKey { return SortKey{Column: col} }

// Desc orders by col descending.
func Desc(col string) SortKey { return SortKey{Column: col, Desc: true} }

// NullsFirst returns k with NULLS FIRST.
func (k SortKey) NullsFirst() SortKey { k.Nulls = NullsFirst; return k }

// NullsLast returns k with NULLS LAST.
func (k SortKey) NullsLast() SortKey { k.Nulls = NullsLast; return k }

// Reverse flips the direction (and the NULLS placement when explicit).
func (k SortKey) Reverse() SortKey {
	k.Desc = !k.Desc
	switch k.Nulls {
	case NullsFirst:
		k.Nulls = NullsLast
	case NullsLast:
		k.Nulls = NullsFirst
	}
	return k
}

// String renders the key as `col ASC` / `col DESC`, the form stored in a
// Cursor's Keys.
func (k SortKey) String() string {
	if k.Desc {
		return k.Column + " DESC"
	}
	return k.Column + " ASC"
}

func (k SortKey) appendSQL(w *writer, quoted string) {
	w.str(quoted)
	if k.Desc {
		w.str(" DESC")
	} else {
		w.str(" ASC")
	}
	switch k.Nulls {
	case NullsFirst:
		w.str(" NULLS FIRST")
	case NullsLast:
		w.str(" NULLS LAST")
	}
}

// ParseSort turns a user-supplied sort specification such as
// "-created_at,name" (a leading - for descending, + or nothing for
// ascending) into sort keys, mapping each public name through allowed to a
// column. A name missing from allowed is an error, so only allow-listed
// columns ever reach the SQL. An empty spec gives def.
func ParseSort(spec string, allowed map[string]string, def ...SortKey) ([]SortKey, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return def, nil
	}
	var keys []SortKey
	for _, item := range strings.Split(spec, ",") {
		item = strings.TrimSpace(item)
		desc := false
		switch {
		case strings.HasPrefix(item, "-"):
			desc, item = true, item[1:]
		case strings.HasPrefix(item, "+"):
			item = item[1:]
		}
		col, ok := allowed[item]
		if !ok || item == "" {
			return nil, errorf("ParseSort("+quoteForMsg(spec)+")", ErrInvalidIdentifier, "sort field %s is not allowed", quoteForMsg(item))
		}
		keys = append(keys, SortKey{Column: col, Desc: desc})
	}
	return keys, nil
}
