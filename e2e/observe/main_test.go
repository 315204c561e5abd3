package observe

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/normkit/norm/e2e"
	normobserve "github.com/normkit/norm/observe"
	"github.com/normkit/norm/tools/pgtest"
	"github.com/rs/zerolog"
)

var cluster *pgtest.Cluster

// allLogs receives a copy of every log line written by any test of the
// package, so TestMain can check the whole suite's output for secrets.
var allLogs lockedBuffer

// harnesses counts traced setups, so TestMain knows whether logs were due
// (a benchmark-only run writes none).
var harnesses atomic.Int32

func TestMain(m *testing.M) {
	code := pgtest.RunMain(m, pgtest.Options{PgBouncer: true}, &cluster)
	if leaks := findSecrets(allLogs.String()); len(leaks) > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: the suite's logs contain parameter values: %v\n", leaks)
		code = 1
	}
	if harnesses.Load() > 0 && allLogs.Len() == 0 {
		fmt.Fprintln(os.Stderr, "FAIL: no log lines were captured; the secret scan checked nothing")
		code = 1
	}
	os.Exit(code)
}

// The values tests insert. None may appear in any log line, span or error
// text this module writes.
const (
	secretEmail   = "alice.secret-4711@example.com"
	secretToken   = "tok-secret-91c2e7"
	secretJSON    = `{"ssn":"secret-078-05-1120"}`
	secretTag     = "secret-tag-55aa"
	secretBalance = int64(918273645)
)

var secretNeedles = append([]string{"alice.secret", "secret-4711", "tok-secret", "91c2e7", "078-05-1120", "secret-tag", "55aa", "918273645"},
	e2e.QuotedSecretNeedles...)

func findSecrets(s string) []string { return e2e.FindSecrets(s, secretNeedles) }

const schema = `CREATE TABLE users (
	id      bigint PRIMARY KEY,
	email   text NOT NULL UNIQUE,
	token   bytea,
	profile jsonb,
	tags    text[],
	balance bigint
)`

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *lockedBuffer) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Len()
}

func (b *lockedBuffer) Reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Reset()
}

// recorder keeps a copy of every event.
type recorder struct {
	mu     sync.Mutex
	events []normobserve.Event
}

func (r *recorder) Observe(_ context.Context, e *normobserve.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := *e
	c.Args = nil // not kept past Observe, as the contract says
	r.events = append(r.events, c)
}

// take returns the events recorded so far and forgets them.
func (r *recorder) take() []normobserve.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	ev := r.events
	r.events = nil
	return ev
}

// harness is a traced setup: a recorder, a zerolog logger (trace level)
// writing to logs and a slog logger (debug level) writing to slogs, both
// also writing to allLogs.
type harness struct {
	rec    *recorder
	logs   *lockedBuffer
	slogs  *lockedBuffer
	tracer *normobserve.Tracer
}

func newHarness(endpoint string, extra ...normobserve.Observer) *harness {
	harnesses.Add(1)
	h := &harness{rec: &recorder{}, logs: &lockedBuffer{}, slogs: &lockedBuffer{}}
	logger := zerolog.New(io.MultiWriter(h.logs, &allLogs)).Level(zerolog.TraceLevel)
	slogger := slog.New(slog.NewJSONHandler(io.MultiWriter(h.slogs, &allLogs), &slog.HandlerOptions{Level: slog.LevelDebug}))
	observers := append([]normobserve.Observer{
		h.rec,
		normobserve.NewLogger(logger, normobserve.LogConfig{}),
		normobserve.NewSlogLogger(slogger, normobserve.LogConfig{}),
	}, extra...)
	h.tracer = normobserve.New(normobserve.Config{Observers: observers, Endpoint: endpoint})
	return h
}

func (h *harness) conn(t *testing.T, d *pgtest.Database) *pgx.Conn {
	t.Helper()
	return h.connTo(t, d.DSN(), 0)
}

// connTo is conn for any DSN (PgBouncer's), with mode as the query exec
// mode unless zero.
func (h *harness) connTo(t *testing.T, dsn string, mode pgx.QueryExecMode) *pgx.Conn {
	t.Helper()
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	if mode != 0 {
		cfg.DefaultQueryExecMode = mode
	}
	cfg.Tracer = h.tracer
	conn, err := pgx.ConnectConfig(testCtx(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

func (h *harness) pool(t testing.TB, d *pgtest.Database) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(d.DSN())
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.Tracer = h.tracer
	p, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

func testCtx(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func setupDB(t testing.TB) *pgtest.Database {
	t.Helper()
	d := cluster.NewDatabase(t)
	conn, err := pgx.Connect(testCtx(t), d.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(testCtx(t), schema); err != nil {
		t.Fatalf("schema: %v", err)
	}
	return d
}

// kinds counts events by kind.
func kinds(events []normobserve.Event) map[normobserve.Kind]int {
	m := map[normobserve.Kind]int{}
	for _, e := range events {
		m[e.Kind]++
	}
	return m
}
