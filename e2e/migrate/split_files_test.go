package migrate_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/normkit/norm/migrate/versioned"
)

// filesRules is a migration holding multi-action rules: the semicolons
// between their actions sit inside parentheses and must not end the
// CREATE RULE statement (psql does not end a statement there either).
const filesRules = `CREATE TABLE a (x int);
CREATE TABLE b (id int PRIMARY KEY, y int);
CREATE VIEW v AS SELECT b.id, 0 AS x, b.y FROM b;
CREATE RULE r AS ON UPDATE TO v DO INSTEAD (
  INSERT INTO a VALUES (new.x);
  UPDATE b SET y = new.y WHERE id = old.id
);
CREATE TABLE y (id int);
CREATE OR REPLACE RULE y_rule AS ON INSERT TO y DO INSTEAD (NOTIFY foo; NOTIFY bar);
`

func TestFilesMultiActionRules(t *testing.T) {
	t.Parallel()
	ctx := filesCtx(t)
	pool := cluster.NewDatabase(t).Pool(t)
	files := map[string]string{"0001_rules.up.sql": filesRules}
	mg := filesMigrator(t, pool, files, versioned.MigratorOptions{})
	if res, err := mg.Up(ctx); err != nil || len(res) != 1 {
		t.Fatalf("Up = %v, %v; want version 1 applied", res, err)
	}

	// Both actions of r run: the update of the view inserts into a and
	// updates b.
	if _, err := pool.Exec(ctx, "INSERT INTO b VALUES (1, 10)"); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, "UPDATE v SET x = 7, y = 20 WHERE id = 1"); err != nil {
		t.Fatal(err)
	}
	var x, y int
	if err := pool.QueryRow(ctx, "SELECT (SELECT x FROM a), (SELECT y FROM b WHERE id = 1)").Scan(&x, &y); err != nil {
		t.Fatal(err)
	}
	if x != 7 || y != 20 {
		t.Fatalf("after UPDATE v: a.x = %d, b.y = %d; want 7 and 20", x, y)
	}
	var def string
	if err := pool.QueryRow(ctx, "SELECT definition FROM pg_rules WHERE rulename = 'y_rule'").Scan(&def); err != nil {
		t.Fatal(err)
	}
	if n := len(filesNotifies(def)); n != 2 {
		t.Fatalf("y_rule = %q; want both NOTIFY actions", def)
	}

	again, err := mg.Up(ctx)
	if err != nil || len(again) != 0 {
		t.Fatalf("second Up = %v, %v; want nothing to do", again, err)
	}
	if got := filesRecorded(t, pool, "schema_migrations"); len(got) != 1 || got[0] != "sql:1" {
		t.Fatalf("history = %v, want sql:1", got)
	}
}

// filesNotifies returns the NOTIFY words of a rule definition.
func filesNotifies(def string) []string {
	var out []string
	for _, w := range strings.Fields(def) {
		if strings.EqualFold(w, "NOTIFY") {
			out = append(out, w)
		}
	}
	return out
}

// filesConformingStrings turns standard_conforming_strings off for part
// of the file: there a backslash escapes the quote, for the server and
// for the splitter alike.
const filesConformingStrings = `CREATE TABLE notes (id int, body text);
SET LOCAL standard_conforming_strings = off;
INSERT INTO notes VALUES (1, 'it\'s; one string');
INSERT INTO notes VALUES (2, 'two \\ backslashes make one');
SET LOCAL standard_conforming_strings = on;
INSERT INTO notes VALUES (3, 'a backslash \');
`

func TestFilesConformingStringsOff(t *testing.T) {
	t.Parallel()
	ctx := filesCtx(t)
	pool := cluster.NewDatabase(t).Pool(t)
	files := map[string]string{"0001_notes.up.sql": filesConformingStrings}
	mg := filesMigrator(t, pool, files, versioned.MigratorOptions{})
	if res, err := mg.Up(ctx); err != nil || len(res) != 1 {
		t.Fatalf("Up = %v, %v; want version 1 applied", res, err)
	}
	rows, err := pool.Query(ctx, "SELECT body FROM notes ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"it's; one string", `two \ backslashes make one`, `a backslash \`}
	if !slices.Equal(got, want) {
		t.Fatalf("notes = %q, want %q", got, want)
	}
	if again, err := mg.Up(ctx); err != nil || len(again) != 0 {
		t.Fatalf("second Up = %v, %v; want nothing to do", again, err)
	}
}
