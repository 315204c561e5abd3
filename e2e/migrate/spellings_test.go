package migrate_test

import (
	"strings"
	"testing"
	"time"

	"github.com/normkit/norm/migrate"
)

// spelled uses the type and default spellings people write by hand; the
// catalog prints each differently (format_type, casts on literals).
type spelled struct {
	ID    int64     `db:"id" norm:"pk"`
	At3   time.Time `db:"at3" norm:"type:timestamptz(3),default:now()"`
	Local time.Time `db:"local" norm:"type:TIMESTAMP,default:'2020-01-01 00:00:00'"`
	Day   time.Time `db:"day" norm:"type:date,default:CURRENT_DATE"`
	Price string    `db:"price" norm:"type:decimal(10, 2),default:0.5"`
	Ratio float64   `db:"ratio" norm:"type:float8,default:-1.5"`
	Small int16     `db:"small" norm:"type:int2,default:(1)"`
	Count int32     `db:"count" norm:"type:int4,default:0"`
	Code  string    `db:"code" norm:"type:char(2),default:'NL'"`
	Quote string    `db:"quote" norm:"type:varchar(20),default:'it''s'"`
	Empty string    `db:"empty" norm:"type:character varying,default:''"`
	Tags  []string  `db:"tags" norm:"default:'{}'"`
	Nums  []int32   `db:"nums" norm:"type:int[],default:'{1,2}'"`
	Every string    `db:"every" norm:"type:interval,default:'1 day'"`
	On    bool      `db:"on" norm:"default:false"`
	Doc   []byte    `db:"doc" norm:"type:jsonb,default:'{\"a\": 1}'"`
	Addr  string    `db:"addr" norm:"type:inet,default:'127.0.0.1'"`
	Noon  string    `db:"noon" norm:"type:time,default:'12:00:00'"`
	Raw   []byte    `db:"raw" norm:"default:'\\x00'"`
	Uniq  [16]byte  `db:"uniq" norm:"default:gen_random_uuid()"`
	Expr  int64     `db:"expr" norm:"default:(2 * 3)"`
}

func (spelled) TableName() string { return "spellings" }

// TestSpellingsReplanEmpty: after creating a table whose types and
// defaults are written in many hand-made spellings, the next plan is
// empty: the model and the catalog's way of printing them compare equal.
func TestSpellingsReplanEmpty(t *testing.T) {
	t.Parallel()
	db := cluster.NewDatabase(t)
	conn := db.Conn(t)
	ctx := ctxT(t)
	a := newAuto(t, conn, []any{spelled{}}, migrate.AutoOptions{})
	if _, err := a.Apply(ctx); err != nil {
		t.Fatalf("apply: %v", err)
	}
	if again := mustPlan(t, a); !again.Empty() {
		t.Fatalf("plan after creating the table is not empty:\n%s", again.Text())
	}
	// The other way round: defaults that differ only slightly from the
	// model's are still differences, each put back by one step.
	if _, err := conn.Exec(ctx, `ALTER TABLE spellings
		ALTER price SET DEFAULT 0.75, ALTER quote SET DEFAULT 'its',
		ALTER tags SET DEFAULT '{x}', ALTER local SET DEFAULT '2020-01-02 00:00:00'`); err != nil {
		t.Fatal(err)
	}
	plan := mustPlan(t, a)
	want := map[string]bool{`"price"`: true, `"quote"`: true, `"tags"`: true, `"local"`: true}
	for _, st := range plan.Steps {
		col := ""
		for c := range want {
			if strings.Contains(st.SQL, "ALTER COLUMN "+c+" ") {
				col = c
			}
		}
		if st.Kind != migrate.SetDefault || col == "" {
			t.Errorf("unexpected step %s: %s", st.Kind, st.SQL)
			continue
		}
		delete(want, col)
	}
	if len(want) > 0 {
		t.Errorf("no step restores the default of %v:\n%s", want, plan.Text())
	}
}
