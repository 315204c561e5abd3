package migrate_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/normkit/norm/migrate"
	"github.com/normkit/norm/migrate/migratecmd"
	"github.com/normkit/norm/tools/demo/notes"
)

// TestERDDemoLiveMatchesModels migrates a database with the demo's
// schema (tools/demo/notes: models, then its SQL files), draws it with
// `erd --dsn` as normctl would, and checks the picture against the
// golden file shown in the migrate guide and against the picture of the
// models themselves: the catalog and the models draw the same diagram,
// and the history tables are left out.
func TestERDDemoLiveMatchesModels(t *testing.T) {
	t.Parallel()
	ctx := ctxT(t)
	db := cluster.NewDatabase(t)
	if _, err := notes.Migrate(ctx, db.Pool(t)); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := migratecmd.Run(ctx, []string{"erd", "--dsn", db.DSN()}, &out, &errOut, migratecmd.Options{}); code != migratecmd.ExitOK {
		t.Fatalf("erd --dsn: exit %d: %s", code, errOut.String())
	}
	path := filepath.Join("testdata", "erd_demo.mmd")
	if *updateGolden {
		if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != string(want) {
		t.Errorf("erd of the demo database differs from %s:\n--- got\n%s\n--- want\n%s", path, out.String(), want)
	}
	models, err := migrate.FromModels(notes.Models()...)
	if err != nil {
		t.Fatal(err)
	}
	if fromModels := migrate.ERD(models); fromModels != out.String() {
		t.Errorf("the live database and the models draw different diagrams:\n--- live\n%s\n--- models\n%s", out.String(), fromModels)
	}
}

// TestERDBadInput: erd with neither models nor a database says what to
// pass; an unknown schema draws no table rather than failing.
func TestERDBadInput(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	code := migratecmd.Run(ctxT(t), []string{"erd"}, &out, &errOut, migratecmd.Options{Getenv: func(string) string { return "" }})
	if code != migratecmd.ExitError || !bytes.Contains(errOut.Bytes(), []byte("no database: pass --dsn")) {
		t.Errorf("erd without models or database: exit %d, stderr %q", code, errOut.String())
	}
	db := cluster.NewDatabase(t)
	out.Reset()
	errOut.Reset()
	code = migratecmd.Run(ctxT(t), []string{"erd", "--dsn", db.DSN(), "--schema", "nosuch"}, &out, &errOut, migratecmd.Options{})
	if code != migratecmd.ExitOK || out.String() != "erDiagram\n" {
		t.Errorf("erd --schema nosuch: exit %d, stdout %q, stderr %q; want an empty diagram", code, out.String(), errOut.String())
	}
	out.Reset()
	errOut.Reset()
	code = migratecmd.Run(ctxT(t), []string{"erd", "--dsn", db.DSN(), "--schema", "public,"}, &out, &errOut, migratecmd.Options{})
	if code != migratecmd.ExitError || !bytes.Contains(errOut.Bytes(), []byte("empty name")) {
		t.Errorf("erd --schema 'public,': exit %d, stderr %q; want exit 1 and the empty name", code, errOut.String())
	}
}
