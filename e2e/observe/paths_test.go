package observe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	normobserve "github.com/normkit/norm/observe"
)

func insertArgs(id int64, email string) []any {
	return []any{id, email, []byte(secretToken), json.RawMessage(secretJSON), []string{secretTag}, secretBalance}
}

const insertSQL = `INSERT INTO users (id, email, token, profile, tags, balance) VALUES ($1, $2, $3, $4, $5, $6)`

// TestConnPaths drives each pgx path twice through a traced pgx.Conn. The
// first run may add one implicit prepare (pgx's statement cache); the
// second, with the statement cached, must produce exactly one event.
func TestConnPaths(t *testing.T) {
	t.Parallel()
	d := setupDB(t)
	h := newHarness("primary")
	conn := h.conn(t, d)
	ctx := testCtx(t)
	if _, err := conn.Exec(ctx, insertSQL, insertArgs(100, secretEmail)...); err != nil {
		t.Fatal(err)
	}
	h.rec.take() // connect and setup events, checked elsewhere

	var next int64
	tests := []struct {
		name string
		kind normobserve.Kind
		rows int64
		run  func() error
	}{
		{"exec", normobserve.KindQuery, 1, func() error {
			next++
			_, err := conn.Exec(ctx, insertSQL, insertArgs(next, fmt.Sprintf("%d.%s", next, secretEmail))...)
			return err
		}},
		{"query", normobserve.KindQuery, 1, func() error {
			rows, err := conn.Query(ctx, `SELECT id, email FROM users WHERE id = $1`, int64(1))
			if err != nil {
				return err
			}
			rows.Close()
			return rows.Err()
		}},
		{"query row", normobserve.KindQuery, 1, func() error {
			var email string
			return conn.QueryRow(ctx, `SELECT email FROM users WHERE email = $1`, secretEmail).Scan(&email)
		}},
		{"batch", normobserve.KindBatch, 2, func() error {
			b := &pgx.Batch{}
			b.Queue(`UPDATE users SET balance = $1 WHERE email = $2`, secretBalance, secretEmail)
			b.Queue(`SELECT tags FROM users WHERE id = $1 AND $2 = ANY(tags)`, int64(100), secretTag)
			return conn.SendBatch(ctx, b).Close()
		}},
		{"copy", normobserve.KindCopy, 2, func() error {
			next += 2
			_, err := conn.CopyFrom(ctx, pgx.Identifier{"users"}, []string{"id", "email", "token", "balance"},
				pgx.CopyFromRows([][]any{
					{next - 1 + 1000, fmt.Sprintf("c%d.%s", next-1, secretEmail), []byte(secretToken), secretBalance},
					{next + 1000, fmt.Sprintf("c%d.%s", next, secretEmail), nil, nil},
				}))
			return err
		}},
	}
	for _, tt := range tests {
		for run := 1; run <= 2; run++ {
			if err := tt.run(); err != nil {
				t.Fatalf("%s run %d: %v", tt.name, run, err)
			}
			events := h.rec.take()
			k := kinds(events)
			if k[tt.kind] != 1 {
				t.Errorf("%s run %d: %d %s events, want 1 (all: %v)", tt.name, run, k[tt.kind], tt.kind, k)
				continue
			}
			if run == 2 && len(events) != 1 {
				t.Errorf("%s run 2 (cached): %d events, want exactly 1: %v", tt.name, len(events), k)
			}
			for _, e := range events {
				if e.Kind != tt.kind {
					if e.Kind != normobserve.KindPrepare || run != 1 {
						t.Errorf("%s run %d: unexpected %s event", tt.name, run, e.Kind)
					}
					continue
				}
				if e.Rows != tt.rows || e.Err != nil || e.Duration <= 0 || e.Endpoint != "primary" {
					t.Errorf("%s run %d: rows %d err %v duration %v endpoint %q; want rows %d", tt.name, run, e.Rows, e.Err, e.Duration, e.Endpoint, tt.rows)
				}
			}
		}
	}
	if leaks := findSecrets(h.logs.String() + h.slogs.String()); len(leaks) > 0 {
		t.Errorf("logs leak %v", leaks)
	}
	if !strings.Contains(h.slogs.String(), `"msg":"batch"`) || !strings.Contains(h.slogs.String(), `"msg":"copy"`) {
		t.Errorf("slog logger missed events:\n%s", h.slogs.String())
	}
	if !strings.Contains(h.logs.String(), `"args":["int8","text(31)","bytea(17)","jsonb(28)","[]text(1)","int8"]`) {
		t.Errorf("insert logged without its masked args:\n%s", h.logs.String())
	}
}

func TestPrepare(t *testing.T) {
	t.Parallel()
	d := setupDB(t)
	h := newHarness("")
	conn := h.conn(t, d)
	h.rec.take()
	if _, err := conn.Prepare(testCtx(t), "by_email", `SELECT id FROM users WHERE email = $1`); err != nil {
		t.Fatal(err)
	}
	events := h.rec.take()
	if len(events) != 1 || events[0].Kind != normobserve.KindPrepare || events[0].Name != "by_email" ||
		events[0].Statement.SQL != "SELECT id FROM users WHERE email = $1" {
		t.Fatalf("events = %+v", events)
	}
	if _, err := conn.Prepare(testCtx(t), "bad", `SELEC 1`); err == nil {
		t.Fatal("want a syntax error")
	}
	events = h.rec.take()
	if len(events) != 1 || events[0].SQLState() != "42601" {
		t.Errorf("failed prepare events = %+v", events)
	}
}

func TestConnect(t *testing.T) {
	t.Parallel()
	d := setupDB(t)
	h := newHarness("")
	conn := h.conn(t, d)
	events := h.rec.take()
	if len(events) != 1 || events[0].Kind != normobserve.KindConnect || events[0].Err != nil ||
		events[0].Database != conn.Config().Database || events[0].Duration <= 0 {
		t.Fatalf("events = %+v", events)
	}
	cfg, err := pgx.ParseConfig(d.DSN())
	if err != nil {
		t.Fatal(err)
	}
	cfg.Tracer = h.tracer
	cfg.Password = "wrong-" + secretToken
	if _, err := pgx.ConnectConfig(testCtx(t), cfg); err == nil {
		t.Fatal("want an authentication failure")
	}
	events = h.rec.take()
	if len(events) != 1 || events[0].Kind != normobserve.KindConnect || events[0].Outcome() != normobserve.OutcomeError {
		t.Errorf("failed connect events = %+v", events)
	}
	if strings.Contains(h.logs.String(), "wrong-") {
		t.Error("the password appears in the logs")
	}
}

func TestErrorsAndExpectedOutcomes(t *testing.T) {
	t.Parallel()
	d := setupDB(t)
	h := newHarness("")
	conn := h.conn(t, d)
	ctx := testCtx(t)
	if _, err := conn.Exec(ctx, insertSQL, insertArgs(1, secretEmail)...); err != nil {
		t.Fatal(err)
	}
	h.rec.take()
	h.logs.Reset()

	_, err := conn.Exec(ctx, insertSQL, insertArgs(2, secretEmail)...)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "23505" || !strings.Contains(pgErr.Detail, secretEmail) {
		t.Fatalf("want a unique violation quoting the value in Detail, got %v", err)
	}
	events := h.rec.take()
	if len(events) != 1 || events[0].SQLState() != "23505" {
		t.Fatalf("events = %+v", events)
	}
	logs := h.logs.String()
	if !strings.Contains(logs, `"level":"error"`) || !strings.Contains(logs, `"constraint":"users_email_key"`) {
		t.Errorf("failure not logged at error with its constraint:\n%s", logs)
	}

	// An invalid value: the server's message quotes it.
	h.logs.Reset()
	if _, err := conn.Exec(ctx, `SELECT $1::uuid`, secretToken); err == nil {
		t.Fatal("want invalid input syntax")
	}
	if !strings.Contains(h.logs.String(), `"sqlstate":"22P02"`) {
		t.Errorf("22P02 not logged:\n%s", h.logs.String())
	}

	// No rows: expected, not an error.
	h.logs.Reset()
	var id int64
	if err := conn.QueryRow(ctx, `SELECT id FROM users WHERE email = $1`, "nobody-"+secretEmail).Scan(&id); !errors.Is(err, pgx.ErrNoRows) {
		t.Fatalf("want ErrNoRows, got %v", err)
	}
	if strings.Contains(h.logs.String(), `"level":"error"`) {
		t.Errorf("no rows logged as an error:\n%s", h.logs.String())
	}

	// Canceled by the caller: expected, not an error.
	h.logs.Reset()
	h.rec.take()
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := conn.Exec(cctx, `SELECT 1`); !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
	if strings.Contains(h.logs.String(), `"level":"error"`) {
		t.Errorf("cancellation logged as an error:\n%s", h.logs.String())
	}
	for _, e := range h.rec.take() {
		if e.Kind == normobserve.KindQuery && e.Outcome() != normobserve.OutcomeCanceled {
			t.Errorf("canceled query outcome = %s", e.Outcome())
		}
	}
	if leaks := findSecrets(h.logs.String()); len(leaks) > 0 {
		t.Errorf("logs leak %v", leaks)
	}
}
