package observe

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/normkit/norm/e2e"
	"github.com/normkit/norm/observe/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// valueErrorCases are statements whose server error quotes a secret, with
// the SQLSTATE each must fail with.
var valueErrorCases = []struct {
	name string
	code string
	sql  string
	args []any
}{
	{"trigger RAISE EXCEPTION with values", "P0001",
		`INSERT INTO people (id, email, password) VALUES ($1, $2, $3)`, []any{int64(1), e2e.SecretBanned, e2e.SecretPassword}},
	{"trigger raising unique_violation with the value", "23505",
		`INSERT INTO people (id, email, password) VALUES ($1, $2, $3)`, []any{int64(2), e2e.SecretBanned, e2e.SecretPassword}},
	{"check violation with the row in Detail", "23514",
		`INSERT INTO people (id, email, password) VALUES ($1, $2, $3)`, []any{int64(3), e2e.SecretBanned, e2e.SecretPassword}},
	{"syntax error near a quoted secret", "42601",
		`SELECT 'a' '` + e2e.SecretPassword + `'`, nil},
	{"invalid input syntax", "22P02",
		`SELECT $1::bigint`, []any{e2e.SecretInput}},
	{"invalid input in a function's internal query", "22P02",
		`DO $$ BEGIN EXECUTE 'SELECT ''` + e2e.SecretInput + `''::int'; END $$`, nil},
}

// quotesSecret reports whether any part of pe holds a secret, so each case
// is known to put one in front of the observers.
func quotesSecret(pe *pgconn.PgError) bool {
	all := strings.Join([]string{pe.Message, pe.Detail, pe.Hint, pe.Where, pe.InternalQuery}, "\n")
	return findSecrets(all) != nil
}

// TestServerErrorsQuotingValues sends statements whose server errors quote
// a value in the message, Detail, Hint, Where or InternalQuery, and checks
// that no zerolog line, slog record, span status or span event has it,
// while the SQLSTATE and constraint are still logged. (TestMain scans every
// line again, with the rest of the suite's.)
func TestServerErrorsQuotingValues(t *testing.T) {
	t.Parallel()
	d := setupDB(t)
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	h := newHarness("primary", otel.New(otel.Config{TracerProvider: tp, Database: "e2e"}))
	ctx := testCtx(t)
	if _, err := h.conn(t, d).Exec(ctx, e2e.PeopleDDL); err != nil {
		t.Fatalf("schema: %v", err)
	}
	// Directly and through PgBouncer (whose errors pass on the server's).
	vias := []struct {
		name string
		conn *pgx.Conn
	}{{"direct", h.conn(t, d)}, {"pgbouncer", h.connTo(t, d.BouncerDSN(t), pgx.QueryExecModeCacheDescribe)}}
	for _, via := range vias {
		for _, tc := range valueErrorCases {
			h.logs.Reset()
			h.slogs.Reset()
			_, err := via.conn.Exec(ctx, tc.sql, tc.args...)
			var pe *pgconn.PgError
			if !errors.As(err, &pe) || pe.Code != tc.code || !quotesSecret(pe) {
				t.Errorf("%s/%s: want a %s error quoting a secret, got %v (%+v)", via.name, tc.name, tc.code, err, pe)
				continue
			}
			logs := h.logs.String() + h.slogs.String()
			if leaks := findSecrets(logs); len(leaks) > 0 {
				t.Errorf("%s/%s: logs leak %v:\n%s", via.name, tc.name, leaks, logs)
			}
			if !strings.Contains(h.logs.String(), `"sqlstate":"`+tc.code+`"`) ||
				!strings.Contains(h.slogs.String(), `"sqlstate":"`+tc.code+`"`) {
				t.Errorf("%s/%s: SQLSTATE not logged:\n%s", via.name, tc.name, logs)
			}
			if pe.ConstraintName != "" && !strings.Contains(h.logs.String(), `"constraint":"`+pe.ConstraintName+`"`) {
				t.Errorf("%s/%s: constraint not logged:\n%s", via.name, tc.name, logs)
			}
		}
	}
	failed := 0
	for _, s := range spans.Ended() {
		if s.Status().Description == "" {
			continue
		}
		failed++
		text := s.Status().Description
		for _, ev := range s.Events() {
			for _, kv := range ev.Attributes {
				text += "\n" + kv.Value.String()
			}
		}
		for _, kv := range s.Attributes() {
			text += "\n" + kv.Value.String()
		}
		_, _ = fmt.Fprintln(&allLogs, text) // scanned again by TestMain
		if leaks := findSecrets(text); len(leaks) > 0 {
			t.Errorf("span %s leaks %v:\n%s", s.Name(), leaks, text)
		}
	}
	if failed < len(vias)*len(valueErrorCases) {
		t.Errorf("%d failed spans, want at least %d", failed, len(vias)*len(valueErrorCases))
	}
}
