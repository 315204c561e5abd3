package migrate

import (
	"strings"
	"testing"
	"time"
)

type erdUser struct {
	ID        int64     `db:"id" norm:"pk,auto_increment"`
	Email     string    `db:"email" norm:"unique,type:varchar(320)"`
	CreatedAt time.Time `db:"created_at" norm:"default:now()"`
}

func (erdUser) TableName() string { return "users" }

type erdProfile struct {
	UserID int64   `db:"user_id" norm:"pk,fk:users(id)"`
	Bio    *string `db:"bio"`
}

func (erdProfile) TableName() string { return "profiles" }

type erdOrder struct {
	ID     int64    `db:"id" norm:"pk,auto_increment"`
	UserID *int64   `db:"user_id" norm:"fk:users(id)"`
	Total  float64  `db:"total" norm:"type:numeric(10,2)"`
	Tags   []string `db:"tags"`
}

func (erdOrder) TableName() string { return "shop.orders" }

type erdLine struct {
	OrderID int64  `db:"order_id" norm:"pk,fk:shop.orders(id)"`
	N       int32  `db:"n" norm:"pk"`
	SKU     string `db:"sku" norm:"index"`
}

func (erdLine) TableName() string { return "shop.order_lines" }

func TestERDGolden(t *testing.T) {
	t.Parallel()
	s, err := FromModels(erdUser{}, erdProfile{}, erdOrder{}, erdLine{})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "erd_models.mmd", ERD(s))
}

// TestERDOddNames: names and types Mermaid cannot take as they are are
// replaced by words, with the exact text kept as the comment.
func TestERDOddNames(t *testing.T) {
	t.Parallel()
	s := &Schema{Tables: []*Table{{Schema: "public", Name: `Odd "Table"`,
		Columns: []*Column{
			{Name: "2nd col", Type: "numeric(10,2)"},
			{Name: "ok", Type: "bit varying(3)"},
		}}}}
	got := ERD(s)
	for _, want := range []string{
		`    "Odd 'Table'" {`,
		`        numeric(10_2) _2nd_col "column 2nd col: numeric(10,2)"`,
		`        varbit(3) ok`,
	} {
		if !strings.Contains(got, want+"\n") {
			t.Errorf("ERD lacks line %q:\n%s", want, got)
		}
	}
	if got := ERD(nil); got != "erDiagram\n" {
		t.Errorf("ERD(nil) = %q", got)
	}
}
