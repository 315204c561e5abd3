package otel_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/normkit/norm/observe"
	"github.com/normkit/norm/observe/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

func setup(cfg otel.Config) (*tracetest.SpanRecorder, *otel.Observer) {
	rec, _, o := setupProvider(cfg)
	return rec, o
}

func setupProvider(cfg otel.Config) (*tracetest.SpanRecorder, trace.TracerProvider, *otel.Observer) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	cfg.TracerProvider = tp
	return rec, tp, otel.New(cfg)
}

func attrs(s sdktrace.ReadOnlySpan) map[attribute.Key]attribute.Value {
	m := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes() {
		m[kv.Key] = kv.Value
	}
	return m
}

func TestQuerySpan(t *testing.T) {
	t.Parallel()
	rec, tp, o := setupProvider(otel.Config{Database: "app", ServerAddress: "db.example", ServerPort: 5432, Legacy: true})
	parentCtx, parent := tp.Tracer("test").Start(context.Background(), "handler")
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	st := observe.NewStatement("SELECT * FROM users WHERE email = 'secret@example.com' AND id = $1")
	o.Observe(parentCtx, &observe.Event{Kind: observe.KindQuery, Statement: &st, Args: []any{"secret-arg"},
		Start: start, Duration: 3 * time.Millisecond, Rows: 1, Endpoint: "replica"})
	parent.End()
	spans := rec.Ended()
	if len(spans) != 2 {
		t.Fatalf("got %d spans, want query + parent", len(spans))
	}
	s := spans[0]
	if s.Name() != "SELECT" || s.SpanKind() != trace.SpanKindClient || !s.StartTime().Equal(start) ||
		s.EndTime().Sub(s.StartTime()) != 3*time.Millisecond || s.Parent().SpanID() != parent.SpanContext().SpanID() {
		t.Errorf("span %s kind %v %v..%v parent %v", s.Name(), s.SpanKind(), s.StartTime(), s.EndTime(), s.Parent().SpanID())
	}
	a := attrs(s)
	want := map[attribute.Key]string{
		"db.system.name": "postgresql", "db.operation.name": "select", "db.namespace": "app",
		"db.query.text": "SELECT * FROM users WHERE email = ? AND id = $1", "server.address": "db.example",
		"db.system": "postgresql", "db.operation": "select", "db.name": "app",
		"db.statement": "SELECT * FROM users WHERE email = ? AND id = $1", "db.norm.endpoint": "replica",
	}
	for k, v := range want {
		if a[k].AsString() != v {
			t.Errorf("%s = %q, want %q", k, a[k].AsString(), v)
		}
	}
	if a["server.port"].AsInt64() != 5432 {
		t.Errorf("server.port = %v", a["server.port"])
	}
	if s.Status().Code == codes.Error {
		t.Error("successful query marked as error")
	}
	for _, kv := range s.Attributes() {
		if strings.Contains(kv.Value.String(), "secret") {
			t.Errorf("attribute %s leaks a value: %s", kv.Key, kv.Value.String())
		}
	}
}

func TestErrorSpan(t *testing.T) {
	t.Parallel()
	rec, o := setup(otel.Config{})
	st := observe.NewStatement("INSERT INTO users (email) VALUES ($1)")
	err := &pgconn.PgError{Severity: "ERROR", Code: "22P02", Message: `invalid input syntax for type uuid: "secret-value"`,
		Detail: "secret-detail"}
	o.Observe(context.Background(), &observe.Event{Kind: observe.KindQuery, Statement: &st, Err: err})
	s := rec.Ended()[0]
	if s.Status().Code != codes.Error || strings.Contains(s.Status().Description, "secret") {
		t.Errorf("status = %+v", s.Status())
	}
	a := attrs(s)
	if a["db.response.status_code"].AsString() != "22P02" || a["error.type"].AsString() != "22P02" {
		t.Errorf("error attributes = %v", a)
	}
	if len(s.Events()) != 1 || s.Events()[0].Name != "exception" {
		t.Fatalf("events = %+v", s.Events())
	}
	for _, kv := range s.Events()[0].Attributes {
		if strings.Contains(kv.Value.String(), "secret") {
			t.Errorf("exception %s leaks: %s", kv.Key, kv.Value.String())
		}
	}
}

func TestExpectedOutcomesAreNotErrors(t *testing.T) {
	t.Parallel()
	rec, o := setup(otel.Config{})
	for _, err := range []error{pgx.ErrNoRows, context.Canceled} {
		o.Observe(context.Background(), &observe.Event{Kind: observe.KindQuery, Err: err})
	}
	for _, s := range rec.Ended() {
		if s.Status().Code == codes.Error {
			t.Errorf("span %s has error status for an expected outcome", s.Name())
		}
	}
}

func TestKinds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		cfg   otel.Config
		ev    observe.Event
		spans int
		name  string
	}{
		{otel.Config{}, observe.Event{Kind: observe.KindBatch, Queries: 3}, 1, "BATCH"},
		{otel.Config{}, observe.Event{Kind: observe.KindCopy, Table: `"users"`}, 1, `COPY "users"`},
		{otel.Config{}, observe.Event{Kind: observe.KindPrepare}, 1, "PREPARE"},
		{otel.Config{}, observe.Event{Kind: observe.KindConnect}, 1, "CONNECT"},
		{otel.Config{}, observe.Event{Kind: observe.KindAcquire}, 0, ""},
		{otel.Config{Acquire: true}, observe.Event{Kind: observe.KindAcquire}, 1, "ACQUIRE"},
		{otel.Config{Acquire: true}, observe.Event{Kind: observe.KindRelease}, 0, ""},
	}
	for _, tt := range tests {
		rec, o := setup(tt.cfg)
		o.Observe(context.Background(), &tt.ev)
		spans := rec.Ended()
		if len(spans) != tt.spans || (tt.spans == 1 && spans[0].Name() != tt.name) {
			t.Errorf("%s: %d spans, want %d named %q", tt.ev.Kind, len(spans), tt.spans, tt.name)
		}
	}
}

// TestErrorSpanRedactsServerMessages: the span status, the exception
// event and the attributes carry no value a server message quotes.
func TestErrorSpanRedactsServerMessages(t *testing.T) {
	t.Parallel()
	errs := []*pgconn.PgError{
		{Severity: "ERROR", Code: "P0001", Message: "email ann.banned@example.com is blocked (password Hunter2Secret)"},
		{Severity: "ERROR", Code: "23505", Message: "ann.banned@example.com is taken", ConstraintName: "users_email_key"},
		{Severity: "ERROR", Code: "42601", Message: `syntax error at or near "'Hunter2Secret'"`},
		{Severity: "ERROR", Code: "22P02", Message: `invalid input syntax for type bigint: "SecretValue98"`},
	}
	for _, pe := range errs {
		rec, o := setup(otel.Config{})
		st := observe.NewStatement("SELECT 1")
		o.Observe(context.Background(), &observe.Event{Kind: observe.KindQuery, Statement: &st, Err: pe})
		s := rec.Ended()[0]
		out := s.Status().Description
		for _, ev := range s.Events() {
			for _, kv := range ev.Attributes {
				out += "\n" + kv.Value.String()
			}
		}
		for _, kv := range s.Attributes() {
			out += "\n" + kv.Value.String()
		}
		for _, n := range []string{"ann.banned", "Hunter", "Secret", "Value98"} {
			if strings.Contains(out, n) {
				t.Errorf("%s: span leaks %q:\n%s", pe.Code, n, out)
			}
		}
		if !strings.Contains(s.Status().Description, pe.Code) {
			t.Errorf("%s: status lost the SQLSTATE: %q", pe.Code, s.Status().Description)
		}
	}
}
