package sqlb

import (
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/normkit/norm/sqlb"
)

type post struct {
	ID    int64     `db:"id"`
	At    time.Time `db:"at"`
	Title string    `db:"title"`
}

func scanPosts(t *testing.T, conn *pgx.Conn, q sqlb.SelectBuilder) []post {
	t.Helper()
	sql, args := build(t, q)
	r, err := conn.Query(ctx(t), sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	out, err := pgx.CollectRows(r, pgx.RowToStructByName[post])
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return out
}

func ids(ps []post) []int64 {
	out := make([]int64, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

func TestKeysetWalk(t *testing.T) {
	conn := setup(t, `CREATE TABLE posts (id bigint PRIMARY KEY, at timestamptz NOT NULL, title text NOT NULL)`)
	// 53 posts over 7 timestamps and 3 titles: many ties on every key but id.
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 1; i <= 53; i++ {
		exec(t, conn, sqlb.Insert("posts").Columns("id", "at", "title").
			Values(i, base.Add(time.Duration(i%7)*time.Hour), fmt.Sprintf("t%d", i%3)))
	}
	codec, err := sqlb.NewCursorCodec([]byte("e2e-keyset-secret-key-0123456789"))
	if err != nil {
		t.Fatal(err)
	}
	orders := map[string][]sqlb.SortKey{
		"asc":   {sqlb.Asc("at")},
		"desc":  {sqlb.Desc("at"), sqlb.Desc("title")},
		"mixed": {sqlb.Desc("at"), sqlb.Asc("title")},
	}
	for name, keys := range orders {
		t.Run(name, func(t *testing.T) {
			q := sqlb.Select("id", "at", "title").From("posts").OrderBy(keys...).TieBreaker("id")
			all := ids(scanPosts(t, conn, q))
			if len(all) != 53 {
				t.Fatalf("full scan: %d rows", len(all))
			}
			pageSize := int64(5)
			page := q.Limit(pageSize)

			// Forwards, handing a token to the "client" between pages.
			var fwd []int64
			token := ""
			for n := 0; n < 20; n++ {
				cur, err := codec.Decode(token)
				if err != nil {
					t.Fatal(err)
				}
				rows := scanPosts(t, conn, page.After(cur))
				fwd = append(fwd, ids(rows)...)
				if int64(len(rows)) < pageSize {
					break
				}
				c, err := page.CursorFrom(rows[len(rows)-1])
				if err != nil {
					t.Fatal(err)
				}
				if token, err = codec.Encode(c); err != nil {
					t.Fatal(err)
				}
			}
			equal(t, "forward walk", fwd, all)

			// Backwards from the end: each page comes in the original order.
			var back [][]int64
			cur := sqlb.Cursor{}
			for n := 0; n < 20; n++ {
				rows := scanPosts(t, conn, page.Before(cur))
				if len(rows) == 0 {
					break
				}
				back = append([][]int64{ids(rows)}, back...)
				if int64(len(rows)) < pageSize {
					break
				}
				if cur, err = page.CursorFrom(rows[0]); err != nil {
					t.Fatal(err)
				}
			}
			var joined []int64
			for _, p := range back {
				joined = append(joined, p...)
			}
			equal(t, "backward walk", joined, all)

			// Before the cursor of a middle row is exactly the page ending just before it.
			mid := scanPosts(t, conn, q)[20]
			c, _ := page.CursorFrom(mid)
			equal(t, "page before row 20", ids(scanPosts(t, conn, page.Before(c))), all[15:20])
			equal(t, "page after row 20", ids(scanPosts(t, conn, page.After(c))), all[21:26])
		})
	}
	// A token made for another ordering is refused.
	c, _ := sqlb.Select("id", "at").From("posts").OrderBy(sqlb.Asc("at")).TieBreaker("id").CursorFrom(map[string]any{"id": int64(1), "at": base})
	if _, _, err := sqlb.Select("id", "at").From("posts").OrderBy(sqlb.Desc("at")).TieBreaker("id").After(c).ToSQL(); err == nil {
		t.Fatal("cursor for another ordering accepted")
	}
}
