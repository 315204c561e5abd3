package migrate_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/normkit/norm/migrate"
)

// The expression corpus: defaults, generated columns and partial-index
// predicates written the way people write them, none in the form
// pg_get_expr prints. Each must create its table on an empty database and
// then plan nothing, in both plan modes, also once the table has rows.

// exprDefault holds one default per column.
type exprDefault struct {
	ID          int64     `db:"id"`
	UUIDText    string    `db:"uuid_text" norm:"default:gen_random_uuid()::text"`
	Tomorrow    time.Time `db:"tomorrow" norm:"default:now() + interval '1 day'"`
	Token       string    `db:"token" norm:"default:md5(random()::text)"`
	CastOne     string    `db:"cast_one" norm:"default:CAST(1 AS text)"`
	TypedStamp  time.Time `db:"typed_stamp" norm:"default:timestamptz '2020-01-02 03:04:05+00'"`
	Escaped     string    `db:"escaped" norm:"default:E'a\\nb'"`
	NullDefault *string   `db:"null_default" norm:"default:NULL"`
	BoolT       bool      `db:"bool_t" norm:"default:'t'"`
	Sci         float64   `db:"sci" norm:"default:1e3"`
	Epoch       time.Time `db:"epoch" norm:"default:'epoch'"`
	UTCNow      time.Time `db:"utc_now" norm:"type:timestamp,default:now() AT TIME ZONE 'UTC'"`
	Zero        int64     `db:"zero" norm:"default:0"`
	MinusOne    int32     `db:"minus_one" norm:"default:-1"`
	Empty       string    `db:"empty" norm:"default:''"`
	Draft       string    `db:"draft" norm:"default:'draft'"`
	EmptyArray  []string  `db:"empty_array" norm:"default:'{}'"`
	ArrayCtor   []int64   `db:"array_ctor" norm:"default:(ARRAY[1, 2, 3])"`
	EmptyCtor   []string  `db:"empty_ctor" norm:"default:ARRAY[]::text[]"`
	JSONObject  []byte    `db:"json_object" norm:"type:jsonb,default:'{\"a\": 1}'"`
	JSONCast    []byte    `db:"json_cast" norm:"type:jsonb,default:'{}'::jsonb"`
	CurrentTS   time.Time `db:"current_ts" norm:"default:current_timestamp"`
	Today       time.Time `db:"today" norm:"type:date,default:CURRENT_DATE"`
	Local       time.Time `db:"local" norm:"type:timestamp,default:localtimestamp"`
	Clock       time.Time `db:"clock" norm:"default:clock_timestamp()"`
	Half        string    `db:"half" norm:"type:numeric(10,2),default:0.5"`
	Money       string    `db:"money" norm:"type:numeric,default:'1.50'::numeric"`
	True        bool      `db:"true_word" norm:"default:TRUE"`
	NotFalse    bool      `db:"not_false" norm:"default:NOT false"`
	Lower       string    `db:"lower_call" norm:"default:lower('ABC')"`
	Concat      string    `db:"concat" norm:"default:'a' || 'b'"`
	Arith       int32     `db:"arith" norm:"default:(1 + 2) * 3"`
	Case        string    `db:"case_expr" norm:"default:CASE WHEN random() > 0.5 THEN 'x' ELSE 'y' END"`
	Coalesce    string    `db:"coalesced" norm:"default:coalesce(NULL, 'z')"`
	NilUUID     [16]byte  `db:"nil_uuid" norm:"default:'00000000-0000-0000-0000-000000000000'"`
	RandUUID    [16]byte  `db:"rand_uuid" norm:"default:gen_random_uuid()"`
	Who         string    `db:"who" norm:"default:current_user"`
	Day         string    `db:"day" norm:"type:interval,default:'1 day'::interval"`
	Hours       string    `db:"hours" norm:"type:interval,default:interval '2 hours'"`
	Blob        []byte    `db:"blob" norm:"default:'\\x00ff'"`
	Trunc       time.Time `db:"trunc" norm:"default:date_trunc('day', now())"`
	Unix        int64     `db:"unix" norm:"default:extract(epoch FROM now())::bigint"`
	Infinity    time.Time `db:"infinity" norm:"default:'infinity'"`
	Pi          float64   `db:"pi" norm:"default:pi()"`
	DateCast    time.Time `db:"date_cast" norm:"type:date,default:now()::date"`
	Year        string    `db:"year" norm:"default:to_char(now(), 'YYYY')"`
	Small       int16     `db:"small" norm:"default:1::smallint"`
	Nested      string    `db:"nested" norm:"default:(('x'))"`
	Quote       string    `db:"quote" norm:"default:'It''s'"`
	Substring   string    `db:"substring" norm:"default:substring('abc' FROM 2)"`
	Trim        string    `db:"trimmed" norm:"default:trim(BOTH ' ' FROM ' x ')"`
	Between     bool      `db:"between" norm:"default:1 BETWEEN 0 AND 2"`
	In          bool      `db:"in_list" norm:"default:'x' IN ('x', 'y')"`
	Like        bool      `db:"like_expr" norm:"default:'abc' LIKE 'a%'"`
	NullIf      int32     `db:"null_if" norm:"default:NULLIF(1, 2)"`
	Greatest    int32     `db:"greatest" norm:"default:GREATEST(1, 2)"`
	DatePlus    time.Time `db:"date_plus" norm:"type:date,default:'2020-01-01'::date + 1"`
	Dollar      string    `db:"dollar" norm:"default:$$dollar$$"`
	Quoted      string    `db:"quoted_fn" norm:"default:\"lower\"('Q')"`
	Collated    string    `db:"collated" norm:"default:'a' COLLATE \"C\""`
}

func (exprDefault) TableName() string { return "expr_defaults" }

// exprGenerated holds stored generated columns over the other columns.
type exprGenerated struct {
	ID        int64     `db:"id"`
	Price     string    `db:"price" norm:"type:numeric(10,2),default:0"`
	Qty       int32     `db:"qty" norm:"default:1"`
	Email     string    `db:"email" norm:"default:'A@example.com'"`
	First     string    `db:"first" norm:"default:'Ada'"`
	Last      string    `db:"last" norm:"default:'Lovelace'"`
	Note      *string   `db:"note"`
	CreatedAt time.Time `db:"created_at" norm:"default:now()"`
	Birthday  time.Time `db:"birthday" norm:"type:date,default:'2000-02-29'"`
	Total     string    `db:"total" norm:"type:numeric,generated:price * qty"`
	Rounded   string    `db:"rounded" norm:"type:numeric(12,2),generated:(price * qty)::numeric(12,2)"`
	LowerMail string    `db:"lower_mail" norm:"generated:lower(email)"`
	FullName  string    `db:"full_name" norm:"generated:first || ' ' || last"`
	InStock   string    `db:"in_stock" norm:"generated:CASE WHEN qty > 0 THEN 'yes' ELSE 'no' END"`
	NoteOrNil string    `db:"note_or_empty" norm:"generated:coalesce(note, '')"`
	UTCDay    time.Time `db:"utc_day" norm:"type:timestamp,generated:date_trunc('day', created_at AT TIME ZONE 'UTC')"`
	MailHash  string    `db:"mail_hash" norm:"generated:md5(email)"`
	LongMail  bool      `db:"long_mail" norm:"generated:length(email) > 3"`
	BornYear  string    `db:"born_year" norm:"type:numeric,generated:extract(year FROM birthday)"`
}

func (exprGenerated) TableName() string { return "expr_generated" }

// exprPartial holds one partial index per column.
type exprPartial struct {
	ID        int64      `db:"id"`
	Qty       int32      `db:"qty" norm:"default:0,index:expr_partial_qty,index_where:qty > 0"`
	Email     *string    `db:"email" norm:"index:expr_partial_email,index_where:email IS NOT NULL"`
	Status    string     `db:"status" norm:"default:'active',index:expr_partial_status,index_where:status = 'active'"`
	Kind      string     `db:"kind" norm:"default:'a',index:expr_partial_kind,index_where:kind IN ('a', 'b')"`
	Archived  bool       `db:"archived" norm:"default:false,index:expr_partial_archived,index_where:NOT archived"`
	CreatedAt time.Time  `db:"created_at" norm:"default:now(),index:expr_partial_created,index_where:created_at > '2020-01-01 00:00:00+00'"`
	Domain    string     `db:"domain" norm:"default:'',index:expr_partial_domain,index_where:lower(domain) LIKE '%.example.com'"`
	Rank      int32      `db:"rank" norm:"default:5,index:expr_partial_rank,index_where:rank BETWEEN 1 AND 10"`
	Label     string     `db:"label" norm:"default:'',index:expr_partial_label,index_where:\"label\" <> ''"`
	Code      string     `db:"code" norm:"default:'',unique:expr_partial_code"`
	DeletedAt *time.Time `db:"deleted_at" norm:"soft_delete"`
}

func (exprPartial) TableName() string { return "expr_partial" }

func exprModels() []any { return []any{exprDefault{}, exprGenerated{}, exprPartial{}} }

// TestExpressionCorpusConverges: on an empty database, Apply creates every
// table of the corpus; the next plan is empty, in offline and online
// mode, before and after the tables have rows; a second Apply adds no
// history row. The offline run migrates over one connection, the online
// one over a pool.
func TestExpressionCorpusConverges(t *testing.T) {
	t.Parallel()
	for _, online := range []bool{false, true} {
		name := map[bool]string{false: "offline", true: "online"}[online]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			db := cluster.NewDatabase(t)
			conn := db.Conn(t)
			ctx := ctxT(t)
			var target any = conn
			if online {
				target = db.Pool(t)
			}
			a := newAuto(t, target, exprModels(), migrate.AutoOptions{PlanOptions: migrate.PlanOptions{Online: online}})
			if _, err := a.Apply(ctx); err != nil {
				t.Fatalf("apply on an empty database: %v", err)
			}
			assertEmptyPlans(t, target, exprModels())
			for _, tbl := range []string{"expr_defaults", "expr_generated", "expr_partial"} {
				if _, err := conn.Exec(ctx, "INSERT INTO "+tbl+" DEFAULT VALUES"); err != nil {
					t.Fatalf("insert into %s: %v", tbl, err)
				}
			}
			assertEmptyPlans(t, target, exprModels())
			res, err := a.Apply(ctx)
			if err != nil || !res.Plan.Empty() {
				t.Fatalf("second apply: %v, plan:\n%s", err, res.Plan.Text())
			}
			var n int
			if err := conn.QueryRow(ctx, "SELECT count(*) FROM norm_auto_migrations").Scan(&n); err != nil || n != 1 {
				t.Errorf("history rows: %d (err %v), want 1", n, err)
			}
			var s string
			if err := conn.QueryRow(ctx, "SELECT escaped || '|' || bool_t || '|' || sci || '|' || full_name FROM expr_defaults, expr_generated").Scan(&s); err != nil {
				t.Fatal(err)
			}
			if want := "a\nb|true|1000|Ada Lovelace"; s != want {
				t.Errorf("row values %q, want %q", s, want)
			}
		})
	}
}

// assertEmptyPlans plans models in both modes and fails on any step.
func assertEmptyPlans(t *testing.T, conn any, models []any) {
	t.Helper()
	for _, online := range []bool{false, true} {
		a := newAuto(t, conn, models, migrate.AutoOptions{PlanOptions: migrate.PlanOptions{Online: online}})
		if p := mustPlan(t, a); !p.Empty() {
			t.Errorf("online=%v: plan after apply is not empty:\n%s", online, p.Text())
		}
	}
}

type shiftV1 struct {
	ID    int64     `db:"id"`
	Ends  time.Time `db:"ends" norm:"default:now() + interval '1 day'"`
	Token string    `db:"token" norm:"default:md5(random()::text)"`
	Hours int32     `db:"hours" norm:"default:8,index:shifts_hours,index_where:hours BETWEEN 1 AND 10"`
}

func (shiftV1) TableName() string { return "shifts" }

type shiftV2 struct {
	ID    int64     `db:"id"`
	Ends  time.Time `db:"ends" norm:"default:now() + interval '2 days'"`
	Token string    `db:"token" norm:"default:md5(random()::text)"`
	Hours int32     `db:"hours" norm:"default:8,index:shifts_hours,index_where:hours BETWEEN 1 AND 12"`
}

func (shiftV2) TableName() string { return "shifts" }

// TestChangedExpressionIsPlanned: comparing the server's forms still sees
// a real change — a different interval, a different bound — and plans
// exactly it, once.
func TestChangedExpressionIsPlanned(t *testing.T) {
	t.Parallel()
	db := cluster.NewDatabase(t)
	conn := db.Conn(t)
	ctx := ctxT(t)
	if _, err := newAuto(t, conn, []any{shiftV1{}}, migrate.AutoOptions{}).Apply(ctx); err != nil {
		t.Fatal(err)
	}
	a := newAuto(t, conn, []any{shiftV2{}}, migrate.AutoOptions{Allow: migrate.Allow{DropIndex: true}})
	p := mustPlan(t, a)
	var got []string
	for _, s := range p.Steps {
		got = append(got, string(s.Kind))
	}
	if want := "set_default,drop_index,create_index"; strings.Join(got, ",") != want {
		t.Fatalf("steps %v, want %s:\n%s", got, want, p.Text())
	}
	if !strings.Contains(p.Steps[0].SQL, `"ends" SET DEFAULT (now() + interval '2 days')`) {
		t.Errorf("set_default SQL: %s", p.Steps[0].SQL)
	}
	if _, err := a.Apply(ctx); err != nil {
		t.Fatal(err)
	}
	assertEmptyPlans(t, conn, []any{shiftV2{}})
	var def string
	if err := conn.QueryRow(ctx, "SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = 'shifts'::regclass AND adnum = 2").Scan(&def); err != nil {
		t.Fatal(err)
	}
	if def != "(now() + '2 days'::interval)" {
		t.Errorf("default of ends: %s", def)
	}
}

type badDefault struct {
	ID    int64     `db:"id"`
	Name  string    `db:"name"`
	Stamp time.Time `db:"stamp" norm:"default:nowww()"`
}

func (badDefault) TableName() string { return "bad_defaults" }

type badGenerated struct {
	ID    int64  `db:"id"`
	Email string `db:"email"`
	Upper string `db:"upper" norm:"generated:upper(emial)"`
}

func (badGenerated) TableName() string { return "bad_generated" }

type badPredicate struct {
	ID  int64 `db:"id"`
	Qty int32 `db:"qty" norm:"index,index_where:qty >> 'x'"`
}

func (badPredicate) TableName() string { return "bad_predicates" }

// TestBadExpressionIsAPlanError: an expression the server cannot parse
// fails Plan with an error naming the model's field, its column and the
// expression, and Apply changes nothing.
func TestBadExpressionIsAPlanError(t *testing.T) {
	t.Parallel()
	cases := []struct {
		model any
		want  []string
	}{
		{badDefault{}, []string{"badDefault", "Stamp", "default", "nowww()"}},
		{badGenerated{}, []string{"badGenerated", "Upper", "generated", "upper(emial)"}},
		{badPredicate{}, []string{"badPredicate", "index_where", "qty >> 'x'"}},
	}
	for _, tc := range cases {
		t.Run(tc.want[0], func(t *testing.T) {
			t.Parallel()
			db := cluster.NewDatabase(t)
			conn := db.Conn(t)
			ctx := ctxT(t)
			a := newAuto(t, conn, []any{tc.model}, migrate.AutoOptions{})
			_, err := a.Plan(ctx)
			if err == nil {
				t.Fatal("plan accepted a bad expression")
			}
			var exprErr *migrate.ExprError
			if !errors.As(err, &exprErr) {
				t.Errorf("plan error %T is not a *migrate.ExprError", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("plan error %q does not name %q", err, w)
				}
			}
			if _, err := a.Apply(ctx); err == nil {
				t.Fatal("apply accepted a bad expression")
			}
			var n int
			if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_class WHERE relname LIKE 'bad_%'").Scan(&n); err != nil || n != 0 {
				t.Errorf("apply left %d relations behind (err %v)", n, err)
			}
		})
	}
}

// TestPlanInReadOnlySession: a session that may not create temporary
// tables (default_transaction_read_only, as on a standby) still plans,
// with the hand normaliser, and finds the zoo unchanged.
func TestPlanInReadOnlySession(t *testing.T) {
	t.Parallel()
	db := cluster.NewDatabase(t)
	conn := db.Conn(t)
	ctx := ctxT(t)
	if _, err := newAuto(t, conn, zoo(), migrate.AutoOptions{}).Apply(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "SET default_transaction_read_only = on"); err != nil {
		t.Fatal(err)
	}
	if p := mustPlan(t, newAuto(t, conn, zoo(), migrate.AutoOptions{})); !p.Empty() {
		t.Errorf("plan in a read-only session is not empty:\n%s", p.Text())
	}
}

// The tables of BenchmarkPlanDeparse; N only makes the types (and table
// names) distinct. benchFull has a predicate the hand normaliser cannot
// settle (the server prints BETWEEN as two comparisons): every plan
// creates a scratch table and index per table. benchDefaults has only
// such defaults: every plan deparses them in one shared scratch table.
type benchFull[N any] struct {
	ID    int64     `db:"id"`
	Name  string    `db:"name" norm:"default:'x'"`
	At    time.Time `db:"at" norm:"default:now() + interval '1 day'"`
	Token string    `db:"token" norm:"default:md5(random()::text)"`
	Qty   int32     `db:"qty" norm:"default:0,index,index_where:qty BETWEEN 1 AND 10"`
	Lower string    `db:"lower_name" norm:"generated:lower(name)"`
}

func (benchFull[N]) TableName() string { return benchName[N]("full") }

type benchDefaults[N any] struct {
	ID    int64     `db:"id"`
	Name  string    `db:"name" norm:"default:'x'"`
	At    time.Time `db:"at" norm:"default:now() + interval '1 day'"`
	Token string    `db:"token" norm:"default:md5(random()::text)"`
	Qty   int32     `db:"qty" norm:"default:0,index,index_where:qty > 0"`
	Lower string    `db:"lower_name" norm:"generated:lower(name)"`
}

func (benchDefaults[N]) TableName() string { return benchName[N]("defaults") }

// benchPlain has the same columns and no expressions.
type benchPlain[N any] struct {
	ID    int64     `db:"id"`
	Name  string    `db:"name"`
	At    time.Time `db:"at"`
	Token string    `db:"token"`
	Qty   int32     `db:"qty" norm:"index"`
	Lower string    `db:"lower_name"`
}

func (benchPlain[N]) TableName() string { return benchName[N]("plain") }

func benchName[N any](prefix string) string {
	var n N
	return fmt.Sprintf("%s_%d", prefix, reflect.TypeOf(n).Len())
}

// benchModels returns 50 tables of one kind.
func benchModels(kind string) []any {
	switch kind {
	case "full":
		return []any{
			benchFull[[0]byte]{}, benchFull[[1]byte]{}, benchFull[[2]byte]{}, benchFull[[3]byte]{}, benchFull[[4]byte]{},
			benchFull[[5]byte]{}, benchFull[[6]byte]{}, benchFull[[7]byte]{}, benchFull[[8]byte]{}, benchFull[[9]byte]{},
			benchFull[[10]byte]{}, benchFull[[11]byte]{}, benchFull[[12]byte]{}, benchFull[[13]byte]{}, benchFull[[14]byte]{},
			benchFull[[15]byte]{}, benchFull[[16]byte]{}, benchFull[[17]byte]{}, benchFull[[18]byte]{}, benchFull[[19]byte]{},
			benchFull[[20]byte]{}, benchFull[[21]byte]{}, benchFull[[22]byte]{}, benchFull[[23]byte]{}, benchFull[[24]byte]{},
			benchFull[[25]byte]{}, benchFull[[26]byte]{}, benchFull[[27]byte]{}, benchFull[[28]byte]{}, benchFull[[29]byte]{},
			benchFull[[30]byte]{}, benchFull[[31]byte]{}, benchFull[[32]byte]{}, benchFull[[33]byte]{}, benchFull[[34]byte]{},
			benchFull[[35]byte]{}, benchFull[[36]byte]{}, benchFull[[37]byte]{}, benchFull[[38]byte]{}, benchFull[[39]byte]{},
			benchFull[[40]byte]{}, benchFull[[41]byte]{}, benchFull[[42]byte]{}, benchFull[[43]byte]{}, benchFull[[44]byte]{},
			benchFull[[45]byte]{}, benchFull[[46]byte]{}, benchFull[[47]byte]{}, benchFull[[48]byte]{}, benchFull[[49]byte]{},
		}
	case "defaults":
		return []any{
			benchDefaults[[0]byte]{}, benchDefaults[[1]byte]{}, benchDefaults[[2]byte]{}, benchDefaults[[3]byte]{}, benchDefaults[[4]byte]{},
			benchDefaults[[5]byte]{}, benchDefaults[[6]byte]{}, benchDefaults[[7]byte]{}, benchDefaults[[8]byte]{}, benchDefaults[[9]byte]{},
			benchDefaults[[10]byte]{}, benchDefaults[[11]byte]{}, benchDefaults[[12]byte]{}, benchDefaults[[13]byte]{}, benchDefaults[[14]byte]{},
			benchDefaults[[15]byte]{}, benchDefaults[[16]byte]{}, benchDefaults[[17]byte]{}, benchDefaults[[18]byte]{}, benchDefaults[[19]byte]{},
			benchDefaults[[20]byte]{}, benchDefaults[[21]byte]{}, benchDefaults[[22]byte]{}, benchDefaults[[23]byte]{}, benchDefaults[[24]byte]{},
			benchDefaults[[25]byte]{}, benchDefaults[[26]byte]{}, benchDefaults[[27]byte]{}, benchDefaults[[28]byte]{}, benchDefaults[[29]byte]{},
			benchDefaults[[30]byte]{}, benchDefaults[[31]byte]{}, benchDefaults[[32]byte]{}, benchDefaults[[33]byte]{}, benchDefaults[[34]byte]{},
			benchDefaults[[35]byte]{}, benchDefaults[[36]byte]{}, benchDefaults[[37]byte]{}, benchDefaults[[38]byte]{}, benchDefaults[[39]byte]{},
			benchDefaults[[40]byte]{}, benchDefaults[[41]byte]{}, benchDefaults[[42]byte]{}, benchDefaults[[43]byte]{}, benchDefaults[[44]byte]{},
			benchDefaults[[45]byte]{}, benchDefaults[[46]byte]{}, benchDefaults[[47]byte]{}, benchDefaults[[48]byte]{}, benchDefaults[[49]byte]{},
		}
	}
	return []any{
		benchPlain[[0]byte]{}, benchPlain[[1]byte]{}, benchPlain[[2]byte]{}, benchPlain[[3]byte]{}, benchPlain[[4]byte]{},
		benchPlain[[5]byte]{}, benchPlain[[6]byte]{}, benchPlain[[7]byte]{}, benchPlain[[8]byte]{}, benchPlain[[9]byte]{},
		benchPlain[[10]byte]{}, benchPlain[[11]byte]{}, benchPlain[[12]byte]{}, benchPlain[[13]byte]{}, benchPlain[[14]byte]{},
		benchPlain[[15]byte]{}, benchPlain[[16]byte]{}, benchPlain[[17]byte]{}, benchPlain[[18]byte]{}, benchPlain[[19]byte]{},
		benchPlain[[20]byte]{}, benchPlain[[21]byte]{}, benchPlain[[22]byte]{}, benchPlain[[23]byte]{}, benchPlain[[24]byte]{},
		benchPlain[[25]byte]{}, benchPlain[[26]byte]{}, benchPlain[[27]byte]{}, benchPlain[[28]byte]{}, benchPlain[[29]byte]{},
		benchPlain[[30]byte]{}, benchPlain[[31]byte]{}, benchPlain[[32]byte]{}, benchPlain[[33]byte]{}, benchPlain[[34]byte]{},
		benchPlain[[35]byte]{}, benchPlain[[36]byte]{}, benchPlain[[37]byte]{}, benchPlain[[38]byte]{}, benchPlain[[39]byte]{},
		benchPlain[[40]byte]{}, benchPlain[[41]byte]{}, benchPlain[[42]byte]{}, benchPlain[[43]byte]{}, benchPlain[[44]byte]{},
		benchPlain[[45]byte]{}, benchPlain[[46]byte]{}, benchPlain[[47]byte]{}, benchPlain[[48]byte]{}, benchPlain[[49]byte]{},
	}
}

// BenchmarkPlanDeparse plans 50 applied tables of six columns: without
// expressions (plain), with defaults the hand normaliser cannot settle
// (deparsed in one shared scratch table), and with such a predicate too
// (a scratch table and index per table). The differences with plain are
// the cost of the deparse round trip.
func BenchmarkPlanDeparse(b *testing.B) {
	for _, kind := range []string{"plain", "defaults", "full"} {
		b.Run(kind, func(b *testing.B) {
			db := cluster.NewDatabase(b)
			conn := db.Conn(b)
			ctx := b.Context()
			a, err := migrate.NewAutoConn(conn, benchModels(kind), migrate.AutoOptions{})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := a.Apply(ctx); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				p, err := a.Plan(ctx)
				if err != nil || !p.Empty() {
					b.Fatalf("plan: %v, %d steps", err, len(p.Steps))
				}
			}
		})
	}
}
