package repo

import (
	"database/sql"
	"testing"
	"time"

	"github.com/normkit/norm/repo"
	"github.com/normkit/norm/sqlb"
)

// buffer is a sql.Scanner that reuses its buffer, as scanners written to
// spare allocations do: two rows must never be scanned into one buffer.
type buffer struct{ b []byte }

func (x *buffer) Scan(src any) error {
	s, _ := src.(string)
	x.b = append(x.b[:0], s...)
	return nil
}

// doc has every kind of field whose value pgx allocates: pointers, byte
// slices, arrays, maps from jsonb and sql.Null* values; and a scanner that
// reuses its own buffer.
type doc struct {
	ID    int64             `db:"id" norm:"pk"`
	Title *string           `db:"title"`
	Body  []byte            `db:"body"`
	Tags  []string          `db:"tags"`
	Meta  map[string]string `db:"meta"`
	Note  sql.NullString    `db:"note"`
	Seen  *time.Time        `db:"seen"`
	Label buffer            `db:"label" norm:"type:text"`
}

func (doc) TableName() string { return "docs" }

// Stamp is embedded by pointer: its fields are reached through a pointer
// that must be allocated for every row.
type Stamp struct {
	By string `db:"by"`
}

type stampedDoc struct {
	ID int64 `db:"id" norm:"pk"`
	*Stamp
}

func (stampedDoc) TableName() string { return "docs" }

const docsDDL = `CREATE TABLE docs (
	id bigint PRIMARY KEY, title text, body bytea, tags text[], meta jsonb,
	note text, seen timestamptz, label text, by text NOT NULL DEFAULT 'x');
	INSERT INTO docs (id, title, body, tags, meta, note, seen, label, by) VALUES
		(1, 'one', '\x01', '{a}', '{"k": "1"}', 'n1', '2026-01-01', 'L1', 'ann'),
		(2, 'two', '\x02', '{b}', '{"k": "2"}', NULL, NULL, 'L2', 'bob'),
		(3, NULL, NULL, NULL, NULL, 'n3', '2026-01-03', 'L3', 'cy')`

// TestFindRowsShareNothing: rows read in one call own their values —
// changing one row's pointer, slice or map leaves the others as read, and
// NULLs come back as nil whatever the row before held.
func TestFindRowsShareNothing(t *testing.T) {
	_, conn := setup(t, docsDDL)
	ctx := ctxT(t)
	r, err := repo.New[doc](conn)
	must(t, err)
	docs, err := r.Query().OrderBy(sqlb.Asc("id")).Find(ctx)
	must(t, err)
	equal(t, "rows", len(docs), 3)
	*docs[0].Title = "changed"
	docs[0].Body[0] = 9
	docs[0].Tags[0] = "z"
	docs[0].Meta["k"] = "changed"
	equal(t, "title of row 2", *docs[1].Title, "two")
	equal(t, "body of row 2", docs[1].Body[0], byte(2))
	equal(t, "tags of row 2", docs[1].Tags[0], "b")
	equal(t, "meta of row 2", docs[1].Meta["k"], "2")
	equal(t, "meta keys of row 2", len(docs[1].Meta), 1)
	equal(t, "NULL title after a value", docs[2].Title == nil, true)
	equal(t, "NULL body", docs[2].Body == nil, true)
	equal(t, "NULL tags", docs[2].Tags == nil, true)
	equal(t, "NULL meta", docs[2].Meta == nil, true)
	equal(t, "NULL note", docs[1].Note.Valid, false)
	equal(t, "note after a NULL", docs[2].Note.String, "n3")
	equal(t, "NULL seen after a value", docs[1].Seen == nil, true)
	equal(t, "seen of row 3", docs[2].Seen.Day(), 3)
	for i, want := range []string{"L1", "L2", "L3"} {
		equal(t, "scanner buffer of row "+want, string(docs[i].Label.b), want)
	}

	stamped, err := repo.New[stampedDoc](conn)
	must(t, err)
	rows, err := stamped.Query().OrderBy(sqlb.Asc("id")).Find(ctx)
	must(t, err)
	equal(t, "stamped rows", len(rows), 3)
	rows[0].By = "changed"
	equal(t, "embedded pointer of row 2", rows[1].By, "bob")
	equal(t, "embedded pointer of row 3", rows[2].By, "cy")
}
