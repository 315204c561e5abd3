package repo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/normkit/norm/repo"
	"github.com/normkit/norm/sqlb"
)

func TestUpsert(t *testing.T) {
	_, conn := setup(t, usersDDL)
	r, err := repo.New[User](conn)
	must(t, err)
	ctx := ctxT(t)
	u := newUser("up@x")
	u.Score = 1
	ok, err := r.Upsert(ctx, u, repo.OnConflict("email"))
	must(t, err)
	equal(t, "inserted", ok, true)
	if u.ID == 0 {
		t.Fatal("id not back-filled")
	}
	firstID, firstVer := u.ID, u.Version

	again := newUser("up@x")
	again.Score = 2
	again.Name = "second"
	ok, err = r.Upsert(ctx, again, repo.OnConflict("email"), repo.UpdateColumns("score"))
	must(t, err)
	equal(t, "updated", ok, true)
	equal(t, "same row", again.ID, firstID)
	equal(t, "score updated", again.Score, 2)
	equal(t, "name kept (not in UpdateColumns)", again.Name, "n-up@x")
	equal(t, "version bumped", again.Version, firstVer+1)

	third := newUser("up@x")
	third.Score = 3
	ok, err = r.Upsert(ctx, third, repo.OnConstraint("users_email_key"))
	must(t, err)
	equal(t, "constraint target wrote", ok, true)
	equal(t, "constraint target", third.Score, 3)
	equal(t, "constraint same row", third.ID, firstID)

	nothing := newUser("up@x")
	nothing.Score = 99
	ok, err = r.Upsert(ctx, nothing, repo.OnConflict("email"), repo.DoNothing())
	must(t, err)
	equal(t, "do nothing reports no write", ok, false)
	equal(t, "row untouched", scalar[int](t, conn, "SELECT score FROM users WHERE email = 'up@x'"), 3)

	if _, err := r.Upsert(ctx, newUser("q@x"), repo.OnConflict("nope")); !errors.Is(err, repo.ErrInvalid) {
		t.Fatalf("unknown conflict column: %v", err)
	}

	// UpsertBatch updates existing rows and inserts new ones, scanning back.
	items := []User{*newUser("up@x"), *newUser("new@x")}
	items[0].Score, items[1].Score = 7, 8
	n, err := r.UpsertBatch(ctx, items, repo.OnConflict("email"))
	must(t, err)
	equal(t, "batch count", n, int64(2))
	equal(t, "batch existing id", items[0].ID, firstID)
	if items[1].ID == 0 || items[1].ID == firstID {
		t.Fatalf("new row id: %d", items[1].ID)
	}
	equal(t, "stored", scalar[int](t, conn, "SELECT score FROM users WHERE email = 'new@x'"), 8)

	// DoNothing counts only the rows written and leaves existing ones alone.
	more := []User{*newUser("new@x"), *newUser("third@x")}
	more[0].Score = 100
	n, err = r.UpsertBatch(ctx, more, repo.OnConflict("email"), repo.DoNothing())
	must(t, err)
	equal(t, "do nothing batch count", n, int64(1))
	equal(t, "existing untouched", scalar[int](t, conn, "SELECT score FROM users WHERE email = 'new@x'"), 8)
	equal(t, "new inserted", scalar[int64](t, conn, "SELECT count(*) FROM users WHERE email = 'third@x'"), int64(1))
}

func TestCreateBatchAcrossParameterLimit(t *testing.T) {
	_, conn := setup(t, usersDDL)
	r, err := repo.New[User](conn)
	must(t, err)
	ctx := ctxT(t)
	const n = 70000 // 8 parameters a row: 560,000 parameters, 9 statements
	items := make([]User, n)
	now := time.Now()
	for i := range items {
		items[i] = User{Email: fmt.Sprintf("u%d@x", i), Name: "n", Active: i%2 == 0, UpdatedAt: now}
	}
	items[n-1].Email = "" // violates the CHECK in the last chunk
	err = r.CreateBatch(ctx, items)
	if !errors.Is(err, repo.ErrCheckViolation) {
		t.Fatalf("want a check violation, got %v", err)
	}
	equal(t, "nothing written", scalar[int64](t, conn, "SELECT count(*) FROM users"), int64(0))

	items[n-1].Email = "last@x"
	for i := range items {
		items[i].ID = 0
	}
	must(t, r.CreateBatch(ctx, items))
	equal(t, "all written", scalar[int64](t, conn, "SELECT count(*) FROM users"), int64(n))
	for _, i := range []int{0, 9362, n - 1} {
		if items[i].ID == 0 || items[i].Nick == nil || *items[i].Nick != "anon" {
			t.Fatalf("item %d not back-filled: %+v", i, items[i])
		}
		equal(t, "id matches row", scalar[string](t, conn, "SELECT email FROM users WHERE id = $1", items[i].ID), items[i].Email)
	}
	// Active is default:true: a false (its zero value) is left to the
	// column default, like a true would be written; every row is active.
	equal(t, "zero default:true left to the column default", scalar[int64](t, conn, "SELECT count(*) FROM users WHERE active"), int64(n))
	equal(t, "back-filled", items[1].Active, true)
}

func TestCreateBatchInsideCallerTxUsesSavepoint(t *testing.T) {
	_, conn := setup(t, usersDDL)
	ctx := ctxT(t)
	tx, err := conn.Begin(ctx)
	must(t, err)
	defer func() { _ = tx.Rollback(ctx) }()
	r, err := repo.New[User](tx)
	must(t, err)
	must(t, r.Create(ctx, newUser("keep@x")))
	items := make([]User, 20000)
	for i := range items {
		items[i] = User{Email: fmt.Sprintf("b%d@x", i), Name: "n"}
	}
	items[15000].Email = "keep@x" // unique violation in the 2nd chunk
	if err := r.CreateBatch(ctx, items); !errors.Is(err, repo.ErrUniqueViolation) {
		t.Fatalf("want unique violation, got %v", err)
	}
	// The caller's transaction is still usable and holds only its own row.
	n, err := r.Count(ctx)
	must(t, err)
	equal(t, "caller tx intact", n, int64(1))
	must(t, tx.Commit(ctx))
	equal(t, "committed", scalar[int64](t, conn, "SELECT count(*) FROM users"), int64(1))
}

func TestCopyFrom(t *testing.T) {
	_, conn := setup(t, usersDDL)
	r, err := repo.New[User](conn)
	must(t, err)
	ctx := ctxT(t)
	items := make([]User, 10000)
	for i := range items {
		items[i] = User{ID: int64(i + 1), Email: fmt.Sprintf("c%d@x", i), Name: "c", Score: i}
	}
	n, err := r.CopyFrom(ctx, items)
	must(t, err)
	equal(t, "rows written", n, int64(10000))
	equal(t, "stored", scalar[int64](t, conn, "SELECT sum(score) FROM users"), int64(10000*9999/2))

	bad := []User{{ID: 20001, Email: "ok@x", Name: "c"}, {ID: 20002, Email: "", Name: "c"}}
	if _, err := r.CopyFrom(ctx, bad); !errors.Is(err, repo.ErrCheckViolation) {
		t.Fatalf("want check violation, got %v", err)
	}
	equal(t, "copy all-or-nothing", scalar[int64](t, conn, "SELECT count(*) FROM users"), int64(10000))
}

func TestCursorPages(t *testing.T) {
	_, conn := setup(t, usersDDL)
	r, err := repo.New[User](conn)
	must(t, err)
	ctx := ctxT(t)
	for i := range 7 {
		u := newUser(fmt.Sprintf("p%d@x", i))
		u.Score = i%3 + 1 // not 0: a zero score is left to its default:5
		must(t, r.Create(ctx, u))
	}
	victim, err := r.FindOne(ctx, sqlb.Eq("email", "p3@x"))
	must(t, err)
	must(t, r.Delete(ctx, victim))
	codec, err := sqlb.NewCursorCodec([]byte("0123456789abcdef0123456789abcdef"))
	must(t, err)
	q := r.Query().OrderBy(sqlb.Desc("score"))
	emails := func(items []User) []string {
		out := make([]string, len(items))
		for i, u := range items {
			out[i] = u.Email
		}
		return out
	}
	var seen []string
	var pages [][]string
	var last repo.CursorPage[User]
	token := ""
	for n := 0; ; n++ {
		if n > 10 {
			t.Fatal("no end of pages")
		}
		p, err := q.Cursor(ctx, codec, token, 2)
		must(t, err)
		if (n == 0) != (p.Prev == "") {
			t.Fatalf("page %d: Prev %q", n, p.Prev)
		}
		seen = append(seen, emails(p.Items)...)
		pages = append(pages, emails(p.Items))
		last = p
		if p.Next == "" {
			break
		}
		token = p.Next
	}
	// score desc, id desc tie-break; p3 is trashed.
	equal(t, "keyset order", seen, []string{"p5@x", "p2@x", "p4@x", "p1@x", "p6@x", "p0@x"})
	if _, err := q.Cursor(ctx, codec, token+"x", 2); !errors.Is(err, sqlb.ErrCursor) {
		t.Fatalf("tampered token: %v", err)
	}

	// Walking back with Prev gives the same pages, in the query's order.
	back := last
	for i := len(pages) - 2; i >= 0; i-- {
		p, err := q.Cursor(ctx, codec, back.Prev, 2)
		must(t, err)
		equal(t, "previous page", emails(p.Items), pages[i])
		if p.Next == "" {
			t.Fatalf("page %d reached backwards has no Next", i)
		}
		back = p
	}
	if back.Prev != "" {
		t.Fatalf("first page reached backwards has a Prev: %q", back.Prev)
	}
	lastPage, err := q.Cursor(ctx, codec, "~", 2)
	must(t, err)
	equal(t, "~ is the last page", emails(lastPage.Items), pages[len(pages)-1])
}

// TestCreateBatchRowsSkippedByTrigger: a BEFORE INSERT trigger that skips a
// row makes RETURNING shorter than the batch, so rows can no longer be
// matched to items by position. CreateBatch fails, writes nothing and
// leaves items as given instead of filling another row's values in.
func TestCreateBatchRowsSkippedByTrigger(t *testing.T) {
	_, conn := setup(t, usersDDL, `
		CREATE FUNCTION skip_some() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW.name = 'skip' THEN RETURN NULL; END IF;
			RETURN NEW;
		END $$;
		CREATE TRIGGER skip_some BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION skip_some();`)
	r, err := repo.New[User](conn)
	must(t, err)
	ctx := ctxT(t)
	items := []User{{Email: "a@x", Name: "n"}, {Email: "b@x", Name: "skip"}, {Email: "c@x", Name: "n"}}
	err = r.CreateBatch(ctx, items)
	if !errors.Is(err, repo.ErrInvalid) || !strings.Contains(err.Error(), "1 of 3 rows were not returned") {
		t.Fatalf("want ErrInvalid naming 1 of 3 rows, got %v", err)
	}
	equal(t, "nothing written", scalar[int64](t, conn, "SELECT count(*) FROM users"), int64(0))
	for i, it := range items {
		if it.ID != 0 || it.Nick != nil {
			t.Errorf("item %d back-filled by a failed batch: %+v", i, it)
		}
	}
	items[1].Name = "n"
	must(t, r.CreateBatch(ctx, items))
	for _, it := range items {
		equal(t, "id matches row", scalar[string](t, conn, "SELECT email FROM users WHERE id = $1", it.ID), it.Email)
	}
}

// TestCreateBatchCopyPathMatchesRows: from 5,000 items CreateBatch loads
// through COPY and inserts one group per set of fields left to their
// default; every item must get back its own row (id, and the defaults of
// its own group), and every row must hold its item's values.
func TestCreateBatchCopyPathMatchesRows(t *testing.T) {
	db, conn := setup(t, usersDDL)
	counted, qc := countingConn(t, db.DSN())
	r, err := repo.New[User](counted)
	must(t, err)
	ctx := ctxT(t)
	const n = 6000
	items := make([]User, n)
	for i := range items {
		items[i] = User{Email: fmt.Sprintf("c%d@x", i), Name: "n", UpdatedAt: time.Now()}
		if i%2 == 1 {
			items[i].Active = true
		}
		if i%3 == 1 {
			items[i].Score = 7
		}
		if i%5 == 1 {
			nick := fmt.Sprintf("nick%d", i)
			items[i].Nick = &nick
		}
	}
	must(t, r.CreateBatch(ctx, items))
	// BEGIN, the TEMPORARY privilege check, CREATE, one INSERT per default
	// group (2×2×2 = 8), DROP, COMMIT; the VALUES path would have sent
	// BEGIN, INSERT, COMMIT.
	equal(t, "statements of the COPY path", qc.n.Load(), int64(13))
	rows, err := conn.Query(ctx, "SELECT id, email, active, score, nick FROM users")
	must(t, err)
	type stored struct {
		email  string
		active bool
		score  int
		nick   string
	}
	byID := map[int64]stored{}
	for rows.Next() {
		var id int64
		var s stored
		must(t, rows.Scan(&id, &s.email, &s.active, &s.score, &s.nick))
		byID[id] = s
	}
	must(t, rows.Err())
	equal(t, "rows", len(byID), n)
	for i, it := range items {
		s, ok := byID[it.ID]
		wantScore, wantNick := 5, "anon"
		if i%3 == 1 {
			wantScore = 7
		}
		if i%5 == 1 {
			wantNick = fmt.Sprintf("nick%d", i)
		}
		if !ok || s.email != it.Email || !s.active || s.score != wantScore || s.nick != wantNick {
			t.Fatalf("item %d (id %d): stored %+v, want %s active score %d nick %s", i, it.ID, s, it.Email, wantScore, wantNick)
		}
		if !it.Active || it.Score != wantScore || it.Nick == nil || *it.Nick != wantNick {
			t.Fatalf("item %d not back-filled: %+v", i, it)
		}
	}
	// The load table is gone: a second batch in the same transaction works.
	tx, err := conn.Begin(ctx)
	must(t, err)
	defer func() { _ = tx.Rollback(ctx) }()
	rt, err := repo.New[User](tx)
	must(t, err)
	more := make([]User, 2*n)
	for i := range more {
		more[i] = User{Email: fmt.Sprintf("d%d@x", i), Name: "n", UpdatedAt: time.Now()}
	}
	must(t, rt.CreateBatch(ctx, more[:n]))
	must(t, rt.CreateBatch(ctx, more[n:]))
	equal(t, "both batches", scalar[int64](t, tx, "SELECT count(*) FROM users WHERE email LIKE 'd%'"), int64(2*n))
	equal(t, "temp tables left", scalar[int64](t, tx, "SELECT count(*) FROM pg_class WHERE relname LIKE 'norm_batch_%' AND relpersistence = 't'"), int64(0))
}

// TestCreateBatchWithoutTempPrivilege: a role that may not create
// temporary tables (REVOKE TEMPORARY … FROM PUBLIC, a common hardening)
// still loads a large batch: CreateBatch takes the multi-row INSERT
// instead of COPY through a temporary table, and writes every row.
func TestCreateBatchWithoutTempPrivilege(t *testing.T) {
	db, conn := setup(t, usersDDL)
	ctx := ctxT(t)
	role := "notemp_" + strings.TrimPrefix(db.Name, "normt_")
	role = role[:min(len(role), 63)]
	for _, sql := range []string{
		`CREATE ROLE "` + role + `" LOGIN PASSWORD 'notemp'`,
		`REVOKE TEMPORARY ON DATABASE "` + db.Name + `" FROM PUBLIC`,
		`GRANT SELECT, INSERT ON users TO "` + role + `"`,
	} {
		_, err := conn.Exec(ctx, sql)
		must(t, err)
	}
	t.Cleanup(func() {
		_, _ = conn.Exec(context.Background(), `DROP OWNED BY "`+role+`"`)
		_, _ = conn.Exec(context.Background(), `DROP ROLE "`+role+`"`)
	})
	cfg, err := pgx.ParseConfig(db.DSN())
	must(t, err)
	cfg.User, cfg.Password = role, "notemp"
	restricted, err := pgx.ConnectConfig(ctx, cfg)
	must(t, err)
	defer restricted.Close(context.Background())
	var canTemp bool
	must(t, restricted.QueryRow(ctx, "SELECT has_database_privilege(current_database(), 'TEMPORARY')").Scan(&canTemp))
	equal(t, "TEMPORARY privilege of the role", canTemp, false)

	r, err := repo.New[User](restricted)
	must(t, err)
	items := make([]User, 6000)
	for i := range items {
		items[i] = User{Email: fmt.Sprintf("t%d@x", i), Name: "n", UpdatedAt: time.Now()}
	}
	must(t, r.CreateBatch(ctx, items))
	var n int
	must(t, conn.QueryRow(ctx, "SELECT count(*) FROM users").Scan(&n))
	equal(t, "rows written", n, len(items))
	if items[0].ID == 0 || items[len(items)-1].ID == 0 {
		t.Errorf("ids not back-filled: first %d, last %d", items[0].ID, items[len(items)-1].ID)
	}
}
