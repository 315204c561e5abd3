package observe

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/rs/zerolog"
)

// secretArgs holds one value of every kind a parameter can be; none may
// show in any log line.
var secretArgs = []any{
	"secret-text-7781",
	[]byte("secret-bytes-7782"),
	json.RawMessage(`{"k":"secret-json-7783"}`),
	[]string{"secret-array-7784"},
	int64(77851234),
	3.778612345,
	nil,
	map[string]any{"k": "secret-map-7787"},
}

var secretNeedles = []string{"secret-", "7781", "7782", "7783", "7784", "77851234", "3.7786", "7787"}

// logTimes matches the times a log handler writes (RFC 3339, nanoseconds):
// their digits spell a four-digit needle now and then ("02:18:14.977823199"
// holds 7782), so they are taken out before the needles are looked for.
var logTimes = regexp.MustCompile(`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})`)

func assertNoSecrets(t *testing.T, out string) {
	t.Helper()
	stripped := logTimes.ReplaceAllString(out, "<time>")
	for _, s := range secretNeedles {
		if strings.Contains(stripped, s) {
			t.Errorf("log output leaks %q:\n%s", s, out)
		}
	}
}

func queryEvent(d time.Duration, err error) *Event {
	return &Event{
		Kind:      KindQuery,
		Statement: &Statement{SQL: "SELECT * FROM t WHERE a = $1", Op: OpSelect, Fingerprint: "00000000000000aa"},
		Args:      secretArgs,
		Duration:  d,
		Rows:      2,
		Err:       err,
		Endpoint:  "replica",
	}
}

func decodeLines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("bad log line %q: %v", l, err)
		}
		lines = append(lines, m)
	}
	return lines
}

var uniqueErr = &pgconn.PgError{
	Severity: "ERROR", Code: "23505", ConstraintName: "t_a_key", TableName: "t",
	Message: `duplicate key value violates unique constraint "t_a_key"`,
	Detail:  "Key (a)=(secret-text-7781) already exists.",
	Where:   "SQL statement secret-text-7781",
}

func TestLoggerLevels(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		cfg       LogConfig
		ev        *Event
		wantLevel string // "" means nothing written
		wantMsg   string
	}{
		{"success at debug", LogConfig{}, queryEvent(time.Millisecond, nil), "debug", "query"},
		{"slow at warn", LogConfig{SlowThreshold: 10 * time.Millisecond}, queryEvent(20*time.Millisecond, nil), "warn", "slow query"},
		{"default threshold", LogConfig{}, queryEvent(DefaultSlowThreshold, nil), "warn", "slow query"},
		{"negative threshold disables slow", LogConfig{SlowThreshold: -1}, queryEvent(time.Hour, nil), "debug", "query"},
		{"failure at error", LogConfig{}, queryEvent(time.Millisecond, uniqueErr), "error", "query failed"},
		{"no rows not an error", LogConfig{}, queryEvent(time.Millisecond, pgx.ErrNoRows), "debug", "query"},
		{"canceled not an error", LogConfig{}, queryEvent(time.Millisecond, context.Canceled), "debug", "query canceled"},
		{"slow only skips fast", LogConfig{SlowOnly: true}, queryEvent(time.Millisecond, nil), "", ""},
		{"slow only skips failures", LogConfig{SlowOnly: true}, queryEvent(time.Millisecond, uniqueErr), "", ""},
		{"slow only writes slow", LogConfig{SlowOnly: true, SlowThreshold: time.Millisecond}, queryEvent(time.Second, nil), "warn", "slow query"},
		{"release at trace", LogConfig{}, &Event{Kind: KindRelease}, "trace", "release"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			NewLogger(zerolog.New(&buf).Level(zerolog.TraceLevel), tt.cfg).Observe(context.Background(), tt.ev)
			lines := decodeLines(t, &buf)
			if tt.wantLevel == "" {
				if len(lines) != 0 {
					t.Fatalf("want nothing, got %v", lines)
				}
				return
			}
			if len(lines) != 1 {
				t.Fatalf("got %d lines, want 1", len(lines))
			}
			if lines[0]["level"] != tt.wantLevel || lines[0]["message"] != tt.wantMsg {
				t.Errorf("level %v message %v, want %s %q", lines[0]["level"], lines[0]["message"], tt.wantLevel, tt.wantMsg)
			}
			assertNoSecrets(t, buf.String())
		})
	}
}

func TestLoggerFields(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	reqLogger := zerolog.New(&buf).With().Str("request_user", "u-9").Logger()
	ctx := reqLogger.WithContext(context.Background())
	ctx = WithCorrelationID(ctx, "corr-123")
	ctx = WithFields(ctx, Field{Key: "tenant", Value: "acme"})
	fallback := zerolog.New(&bytes.Buffer{})
	NewLogger(fallback, LogConfig{}).Observe(ctx, queryEvent(1500*time.Microsecond, uniqueErr))
	lines := decodeLines(t, &buf)
	if len(lines) != 1 {
		t.Fatalf("ctx logger wrote %d lines, want 1", len(lines))
	}
	l := lines[0]
	want := map[string]any{
		"request_user": "u-9", "correlation_id": "corr-123", "tenant": "acme",
		"op": "select", "sql": "SELECT * FROM t WHERE a = $1", "fingerprint": "00000000000000aa",
		"duration": 1.5, "rows": 2.0, "endpoint": "replica", "sqlstate": "23505", "constraint": "t_a_key",
		"error_table": "t", "error": `ERROR: unique_violation (SQLSTATE 23505, table t, constraint t_a_key; message redacted)`,
	}
	for k, v := range want {
		if l[k] != v {
			t.Errorf("field %s = %v, want %v", k, l[k], v)
		}
	}
	args, _ := l["args"].([]any)
	wantArgs := []string{"text(16)", "bytea(17)", "jsonb(24)", "[]text(1)", "int8", "float8", "NULL", "jsonb(1)"}
	if len(args) != len(wantArgs) {
		t.Fatalf("args = %v, want %v", args, wantArgs)
	}
	for i := range wantArgs {
		if args[i] != wantArgs[i] {
			t.Errorf("args[%d] = %v, want %s", i, args[i], wantArgs[i])
		}
	}
	if _, ok := l["detail"]; ok {
		t.Error("detail logged by default")
	}
	assertNoSecrets(t, buf.String())
}

func TestLoggerErrorDetailOptIn(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	NewLogger(zerolog.New(&buf), LogConfig{ErrorDetail: true}).Observe(context.Background(), queryEvent(0, uniqueErr))
	l := decodeLines(t, &buf)[0]
	if l["detail"] != uniqueErr.Detail || l["where"] != uniqueErr.Where {
		t.Errorf("ErrorDetail on: detail %v where %v", l["detail"], l["where"])
	}
}

func TestLoggerFallbackAndLevelFilter(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	o := NewLogger(zerolog.New(&buf).Level(zerolog.InfoLevel), LogConfig{})
	o.Observe(context.Background(), queryEvent(time.Millisecond, nil))
	if buf.Len() != 0 {
		t.Errorf("debug line written at info level: %s", buf.String())
	}
	o.Observe(context.Background(), queryEvent(time.Millisecond, uniqueErr))
	if n := len(decodeLines(t, &buf)); n != 1 {
		t.Errorf("fallback logger wrote %d lines for a failure, want 1", n)
	}
}

func TestLoggerKinds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ev   *Event
		want map[string]any
	}{
		{&Event{Kind: KindBatch, Statement: &Statement{SQL: "INSERT INTO t VALUES ($1)", Op: OpInsert}, Queries: 3, Rows: 3}, map[string]any{"message": "batch", "op": "batch", "queries": 3.0, "rows": 3.0}},
		{&Event{Kind: KindCopy, Table: `"t"`, Rows: 5}, map[string]any{"message": "copy", "op": "copy", "table": `"t"`, "rows": 5.0}},
		{&Event{Kind: KindPrepare, Name: "s1", Statement: &Statement{SQL: "SELECT $1"}}, map[string]any{"message": "prepare", "name": "s1", "sql": "SELECT $1"}},
		{&Event{Kind: KindConnect, Database: "app", Host: "h", Port: 5432}, map[string]any{"message": "connect", "database": "app", "host": "h", "port": 5432.0}},
		{&Event{Kind: KindAcquire, Duration: 2 * time.Millisecond}, map[string]any{"message": "acquire", "op": "acquire", "duration": 2.0}},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		NewLogger(zerolog.New(&buf), LogConfig{}).Observe(context.Background(), tt.ev)
		l := decodeLines(t, &buf)[0]
		for k, v := range tt.want {
			if l[k] != v {
				t.Errorf("%s: %s = %v, want %v", tt.ev.Kind, k, l[k], v)
			}
		}
	}
}

func TestSlogLogger(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	h := slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})
	o := NewSlogLogger(slog.New(h), LogConfig{SlowThreshold: 10 * time.Millisecond})
	ctx := WithCorrelationID(context.Background(), "corr-9")
	o.Observe(ctx, queryEvent(time.Millisecond, nil))
	o.Observe(ctx, queryEvent(time.Second, nil))
	o.Observe(ctx, queryEvent(time.Millisecond, uniqueErr))
	o.Observe(ctx, &Event{Kind: KindRelease}) // below debug: filtered
	lines := decodeLines(t, &buf)
	if len(lines) != 3 {
		t.Fatalf("got %d lines, want 3: %s", len(lines), buf.String())
	}
	for i, want := range [][2]string{{"DEBUG", "query"}, {"WARN", "slow query"}, {"ERROR", "query failed"}} {
		if lines[i]["level"] != want[0] || lines[i]["msg"] != want[1] || lines[i]["correlation_id"] != "corr-9" {
			t.Errorf("line %d = %v, want level %s msg %q with correlation id", i, lines[i], want[0], want[1])
		}
	}
	if lines[1]["slow"] != true || lines[2]["sqlstate"] != "23505" || lines[0]["sql"] != "SELECT * FROM t WHERE a = $1" {
		t.Errorf("fields missing: %v", lines)
	}
	assertNoSecrets(t, buf.String())
}

func TestLoggersObserveReleasesOnlyAtTrace(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		o    KindFilter
		want bool
	}{
		{"zerolog at trace", NewLogger(zerolog.New(&bytes.Buffer{}).Level(zerolog.TraceLevel), LogConfig{}), true},
		{"zerolog at debug", NewLogger(zerolog.New(&bytes.Buffer{}).Level(zerolog.DebugLevel), LogConfig{}), false},
		{"zerolog slow only", NewLogger(zerolog.New(&bytes.Buffer{}).Level(zerolog.TraceLevel), LogConfig{SlowOnly: true}), false},
		{"slog at debug-4", NewSlogLogger(slog.New(slog.NewJSONHandler(&bytes.Buffer{}, &slog.HandlerOptions{Level: slog.LevelDebug - 4})), LogConfig{}), true},
		{"slog at debug", NewSlogLogger(slog.New(slog.NewJSONHandler(&bytes.Buffer{}, &slog.HandlerOptions{Level: slog.LevelDebug})), LogConfig{}), false},
	}
	for _, tt := range tests {
		if got := tt.o.Observes(KindRelease); got != tt.want {
			t.Errorf("%s: Observes(release) = %v, want %v", tt.name, got, tt.want)
		}
		if !tt.o.Observes(KindQuery) {
			t.Errorf("%s: queries not observed", tt.name)
		}
	}
}
