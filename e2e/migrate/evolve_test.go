package migrate_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/normkit/norm/migrate"
	"github.com/normkit/norm/tools/pgtest"
)

// itemsV1 returns a fresh database with the v1 owners and items tables.
func itemsV1(t *testing.T) (*pgtest.Database, *pgx.Conn) {
	t.Helper()
	db := cluster.NewDatabase(t)
	conn := db.Conn(t)
	if _, err := newAuto(t, conn, []any{owner{}, itemV1{}}, migrate.AutoOptions{}).Apply(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	return db, conn
}

// The acceptance harness: v1 models applied and populated → plan to v2 →
// the exact hazard codes → apply → the catalog equals a fresh build of
// v2 → planning again is empty.

type itemV1 struct {
	ID    int64   `db:"id" norm:"pk,auto_increment"`
	Name  string  `db:"name" norm:"type:varchar(20)"`
	Qty   int32   `db:"qty"`
	Note  *string `db:"note"`
	Owner *int64  `db:"owner_id"`
}

func (itemV1) TableName() string { return "items" }

type owner struct {
	ID int64 `db:"id" norm:"pk,auto_increment"`
}

func (owner) TableName() string { return "owners" }

type addNullable struct {
	itemV1
	Extra *string `db:"extra"`
}

func (addNullable) TableName() string { return "items" }

type addNotNullNoDefault struct {
	itemV1
	Extra string `db:"extra"`
}

func (addNotNullNoDefault) TableName() string { return "items" }

type addVolatileDefault struct {
	itemV1
	Token [16]byte `db:"token" norm:"default:gen_random_uuid()"`
}

func (addVolatileDefault) TableName() string { return "items" }

type addConstantDefault struct {
	itemV1
	Flag bool `db:"flag" norm:"default:false"`
}

func (addConstantDefault) TableName() string { return "items" }

type widenQty struct {
	ID    int64   `db:"id" norm:"pk,auto_increment"`
	Name  string  `db:"name" norm:"type:varchar(40)"`
	Qty   int64   `db:"qty"`
	Note  *string `db:"note"`
	Owner *int64  `db:"owner_id"`
}

func (widenQty) TableName() string { return "items" }

type narrowName struct {
	ID    int64   `db:"id" norm:"pk,auto_increment"`
	Name  string  `db:"name" norm:"type:varchar(5)"`
	Qty   int32   `db:"qty"`
	Note  *string `db:"note"`
	Owner *int64  `db:"owner_id"`
}

func (narrowName) TableName() string { return "items" }

type noteNotNull struct {
	ID    int64  `db:"id" norm:"pk,auto_increment"`
	Name  string `db:"name" norm:"type:varchar(20)"`
	Qty   int32  `db:"qty"`
	Note  string `db:"note"`
	Owner *int64 `db:"owner_id"`
}

func (noteNotNull) TableName() string { return "items" }

type indexQty struct {
	ID    int64   `db:"id" norm:"pk,auto_increment"`
	Name  string  `db:"name" norm:"type:varchar(20)"`
	Qty   int32   `db:"qty" norm:"index"`
	Note  *string `db:"note"`
	Owner *int64  `db:"owner_id"`
}

func (indexQty) TableName() string { return "items" }

type ownerFK struct {
	ID    int64   `db:"id" norm:"pk,auto_increment"`
	Name  string  `db:"name" norm:"type:varchar(20)"`
	Qty   int32   `db:"qty"`
	Note  *string `db:"note"`
	Owner *int64  `db:"owner_id" norm:"fk:owners(id)"`
}

func (ownerFK) TableName() string { return "items" }

type uniqueName struct {
	ID    int64   `db:"id" norm:"pk,auto_increment"`
	Name  string  `db:"name" norm:"type:varchar(20),unique"`
	Qty   int32   `db:"qty"`
	Note  *string `db:"note"`
	Owner *int64  `db:"owner_id"`
}

func (uniqueName) TableName() string { return "items" }

type renameQty struct {
	ID     int64   `db:"id" norm:"pk,auto_increment"`
	Name   string  `db:"name" norm:"type:varchar(20)"`
	Amount int32   `db:"amount" norm:"rename:qty"`
	Note   *string `db:"note"`
	Owner  *int64  `db:"owner_id"`
}

func (renameQty) TableName() string { return "items" }

type renamedTable struct{ itemV1 }

func (renamedTable) TableName() string   { return "products" }
func (renamedTable) RenamedFrom() string { return "items" }

type dropNote struct {
	ID    int64  `db:"id" norm:"pk,auto_increment"`
	Name  string `db:"name" norm:"type:varchar(20)"`
	Qty   int32  `db:"qty"`
	Owner *int64 `db:"owner_id"`
}

func (dropNote) TableName() string { return "items" }

type evolveCase struct {
	name    string
	v2      any
	online  bool
	allow   migrate.Allow
	drop    []string
	hazards []string // sorted hazard codes expected in the plan
	refused bool     // Apply must refuse without the opt-in (allow empty)
	fails   bool     // Apply must fail on the populated table
	check   func(t *testing.T, conn *pgx.Conn)
}

func TestEvolvePopulatedTable(t *testing.T) {
	t.Parallel()
	cases := []evolveCase{
		{name: "add nullable column", v2: addNullable{}, hazards: []string{"cached-plan"}},
		{name: "add NOT NULL column without default", v2: addNotNullNoDefault{}, hazards: []string{"cached-plan", "not-null-no-default"}, fails: true},
		{name: "add column with volatile default", v2: addVolatileDefault{}, hazards: []string{"cached-plan", "table-rewrite"}},
		{name: "add column with constant default", v2: addConstantDefault{}, hazards: []string{"cached-plan"}},
		{name: "widen types", v2: widenQty{}, hazards: []string{"cached-plan", "cached-plan", "table-rewrite", "type-change"}},
		{name: "narrow a type", v2: narrowName{}, hazards: []string{"cached-plan", "narrowing-type"}, refused: true, allow: migrate.Allow{Narrowing: true}, fails: true},
		{name: "set not null", v2: noteNotNull{}, hazards: []string{"set-not-null-scan"}},
		{name: "set not null online", v2: noteNotNull{}, online: true, hazards: []string{"set-not-null-scan"}, check: wantNoConstraint("items_note_not_null")},
		{name: "add index", v2: indexQty{}, hazards: []string{"blocking-index"}},
		{name: "add index online", v2: indexQty{}, online: true, hazards: nil, check: wantValidIndex("items_qty_idx")},
		{name: "add foreign key", v2: ownerFK{}, hazards: []string{"validating-constraint"}},
		{name: "add foreign key online", v2: ownerFK{}, online: true, hazards: nil, check: wantValidConstraint("items_owner_id_fkey")},
		{name: "add unique", v2: uniqueName{}, hazards: []string{"blocking-unique"}},
		{name: "add unique online", v2: uniqueName{}, online: true, hazards: nil, check: wantValidConstraint("items_name_key")},
		{name: "rename column", v2: renameQty{}, hazards: []string{"rename"}, check: wantQtySum("amount")},
		{name: "rename table", v2: renamedTable{}, hazards: []string{"rename"}, check: wantRows("products")},
		{name: "drop column", v2: dropNote{}, hazards: []string{"drop-column"}, refused: true, allow: migrate.Allow{DropColumn: true}},
		{name: "drop table", v2: addNullable{}, drop: []string{"owners"}, hazards: []string{"cached-plan", "drop-table"}, refused: true, allow: migrate.Allow{DropTable: true}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			runEvolve(t, tc)
		})
	}
}

func runEvolve(t *testing.T, tc evolveCase) {
	_, conn := itemsV1(t)
	ctx := ctxT(t)
	populate(t, conn)
	models := []any{tc.v2}
	if len(tc.drop) == 0 {
		models = append(models, owner{})
	}
	opts := migrate.AutoOptions{PlanOptions: migrate.PlanOptions{Online: tc.online, DropTables: tc.drop}}
	plan := mustPlan(t, newAuto(t, conn, models, opts))
	if got := hazardCodes(plan); strings.Join(got, ",") != strings.Join(tc.hazards, ",") {
		t.Fatalf("hazards %v, want %v\n%s", got, tc.hazards, plan.Text())
	}
	if tc.refused {
		_, err := newAuto(t, conn, models, opts).Apply(ctx)
		if !errors.Is(err, migrate.ErrNotAllowed) {
			t.Fatalf("apply without opt-in: %v, want ErrNotAllowed", err)
		}
		opts.Allow = tc.allow
	}
	_, err := newAuto(t, conn, models, opts).Apply(ctx)
	if tc.fails {
		if err == nil {
			t.Fatal("apply succeeded on a populated table, want the failure the hazard predicts")
		}
		assertSameAsFresh(t, conn, []any{owner{}, itemV1{}}) // rolled back to v1
		return
	}
	if err != nil {
		t.Fatalf("apply: %v\n%s", err, plan.Text())
	}
	if again := mustPlan(t, newAuto(t, conn, models, opts)); !again.Empty() {
		t.Fatalf("plan after apply not empty:\n%s", again.Text())
	}
	assertSameAsFresh(t, conn, models)
	if tc.check != nil {
		tc.check(t, conn)
	}
}

func populate(t *testing.T, conn *pgx.Conn) {
	ctx := ctxT(t)
	_, err := conn.Exec(ctx, `INSERT INTO owners DEFAULT VALUES;
		INSERT INTO items (name, qty, note, owner_id) SELECT 'item ' || g, g, 'n' || g, 1 FROM generate_series(1, 200) g`)
	if err != nil {
		t.Fatal(err)
	}
}

func hazardCodes(p *migrate.Plan) []string {
	var codes []string
	for _, s := range p.Steps {
		for _, h := range s.Hazards {
			codes = append(codes, h.Code)
		}
	}
	sort.Strings(codes)
	return codes
}

// assertSameAsFresh builds models from scratch in a new database and
// checks that nothing would change between the two catalogs.
func assertSameAsFresh(t *testing.T, migrated *pgx.Conn, models []any) {
	t.Helper()
	ctx := ctxT(t)
	fresh := cluster.NewDatabase(t).Conn(t)
	if _, err := newAuto(t, fresh, models, migrate.AutoOptions{}).Apply(ctx); err != nil {
		t.Fatal(err)
	}
	want, err := migrate.ReadCatalog(ctx, fresh)
	if err != nil {
		t.Fatal(err)
	}
	have, err := migrate.ReadCatalog(ctx, migrated)
	if err != nil {
		t.Fatal(err)
	}
	// Compare only the models' tables (the history table is in both).
	if p := migrate.Diff(have, want, migrate.PlanOptions{}); !p.Empty() {
		t.Errorf("migrated catalog differs from a fresh build:\n%s", p.Text())
	}
}

func wantNoConstraint(name string) func(*testing.T, *pgx.Conn) {
	return func(t *testing.T, conn *pgx.Conn) {
		var n int
		if err := conn.QueryRow(context.Background(), "SELECT count(*) FROM pg_constraint WHERE conname = $1", name).Scan(&n); err != nil || n != 0 {
			t.Errorf("constraint %s still exists (%d, %v)", name, n, err)
		}
	}
}

func wantValidConstraint(name string) func(*testing.T, *pgx.Conn) {
	return func(t *testing.T, conn *pgx.Conn) {
		var valid bool
		if err := conn.QueryRow(context.Background(), "SELECT convalidated FROM pg_constraint WHERE conname = $1", name).Scan(&valid); err != nil || !valid {
			t.Errorf("constraint %s: validated=%v err=%v, want a validated constraint", name, valid, err)
		}
	}
}

func wantValidIndex(name string) func(*testing.T, *pgx.Conn) {
	return func(t *testing.T, conn *pgx.Conn) {
		var valid bool
		if err := conn.QueryRow(context.Background(), "SELECT indisvalid FROM pg_index WHERE indexrelid = $1::regclass", name).Scan(&valid); err != nil || !valid {
			t.Errorf("index %s: valid=%v err=%v", name, valid, err)
		}
	}
}

func wantQtySum(col string) func(*testing.T, *pgx.Conn) {
	return func(t *testing.T, conn *pgx.Conn) {
		var sum int
		if err := conn.QueryRow(context.Background(), fmt.Sprintf("SELECT sum(%s) FROM items", col)).Scan(&sum); err != nil || sum != 200*201/2 {
			t.Errorf("sum(%s) = %d (%v): the rename lost data", col, sum, err)
		}
	}
}

func wantRows(table string) func(*testing.T, *pgx.Conn) {
	return func(t *testing.T, conn *pgx.Conn) {
		var n int
		if err := conn.QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil || n != 200 {
			t.Errorf("%s has %d rows (%v), want the 200 of the old table", table, n, err)
		}
	}
}
