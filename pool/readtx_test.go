package pool

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

func TestReplicaTx(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts pgx.TxOptions
		want bool
	}{
		{"read write", pgx.TxOptions{}, false},
		{"explicit read write", pgx.TxOptions{AccessMode: pgx.ReadWrite}, false},
		{"read only", pgx.TxOptions{AccessMode: pgx.ReadOnly}, true},
		{"read only repeatable read", pgx.TxOptions{AccessMode: pgx.ReadOnly, IsoLevel: pgx.RepeatableRead}, true},
		{"read only read committed", pgx.TxOptions{AccessMode: pgx.ReadOnly, IsoLevel: pgx.ReadCommitted}, true},
		{"read only serializable: a standby refuses it", pgx.TxOptions{AccessMode: pgx.ReadOnly, IsoLevel: pgx.Serializable}, false},
		{"read only serializable deferrable",
			pgx.TxOptions{AccessMode: pgx.ReadOnly, IsoLevel: pgx.Serializable, DeferrableMode: pgx.Deferrable}, false},
		{"read only with a custom BEGIN", pgx.TxOptions{AccessMode: pgx.ReadOnly, BeginQuery: "BEGIN READ WRITE"}, false},
	}
	for _, tt := range tests {
		if got := replicaTx(tt.opts); got != tt.want {
			t.Errorf("%s: replicaTx(%+v) = %v, want %v", tt.name, tt.opts, got, tt.want)
		}
	}
}

func TestReplicaFailed(t *testing.T) {
	t.Parallel()
	pgErr := func(code string) error { return fmt.Errorf("pool: begin on replica: %w", &pgconn.PgError{Code: code}) }
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		err  error
		want bool
	}{
		{"breaker open", nil, &CircuitOpenError{Endpoint: "replica[0] (h:1)", State: BreakerOpen}, true},
		{"cannot connect", nil, &pgconn.ConnectError{}, true},
		{"connection lost", nil, fmt.Errorf("begin: %w", io.ErrUnexpectedEOF), true},
		{"terminated backend", nil, pgErr(codeAdminShutdown), true},
		{"server starting or shutting down", nil, pgErr(codeCannotConnectNow), true},
		{"too many clients", nil, pgErr(codeTooManyConnections), true},
		{"connection exception", nil, &pgconn.PgError{Code: "08001", Severity: "FATAL"}, true},
		{"recovery conflict", nil, pgErr(codeSerializationFailure), true},
		{"OnBegin's own error", nil, errors.New("pool: OnBegin on replica: no tenant"), false},
		{"undefined role in OnBegin", nil, pgErr("42704"), false},
		{"closed DB", nil, ErrClosed, false},
		{"caller gave up", canceled, &pgconn.ConnectError{}, false},
	}
	for _, tt := range tests {
		ctx := tt.ctx
		if ctx == nil {
			ctx = context.Background()
		}
		if got := replicaFailed(ctx, tt.err); got != tt.want {
			t.Errorf("%s: replicaFailed(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}

func TestWaitFor(t *testing.T) {
	t.Parallel()
	at := func(lsn uint64) func(context.Context) context.Context {
		return func(ctx context.Context) context.Context {
			s := new(Session)
			s.SetLSN(lsn)
			return WithSession(ctx, s)
		}
	}
	tests := []struct {
		name string
		ctx  func(context.Context) context.Context
		cl   class
		want uint64
	}{
		{"no state", nil, classRead, 0},
		{"no session", UseReplica, classRead, 0},
		{"session without a write", at(0), classRead, 0},
		{"read with a session", at(42), classRead, 42},
		{"write with a session", at(42), 0, 0},
		{"UseReplica statement with a session", func(ctx context.Context) context.Context { return UseReplica(at(42)(ctx)) }, 0, 42},
		{"UsePrimary read with a session", func(ctx context.Context) context.Context { return UsePrimary(at(42)(ctx)) }, classRead, 0},
		{"session pinned to the primary", at(math.MaxUint64), classRead, 0},
	}
	for _, tt := range tests {
		ctx := context.Background()
		if tt.ctx != nil {
			ctx = tt.ctx(ctx)
		}
		if got := waitFor(stateOf(ctx), tt.cl); got != tt.want {
			t.Errorf("%s: waitFor = %d, want %d", tt.name, got, tt.want)
		}
	}
}

// probeCounter is a TCP listener standing in for a replica's health
// connection: it counts the connections made to it and closes them, so a
// probe through it fails at once.
type probeCounter struct {
	ln    net.Listener
	count atomic.Int32
}

func newProbeCounter(t *testing.T) *probeCounter {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &probeCounter{ln: ln}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.count.Add(1)
			_ = c.Close()
		}
	}()
	return p
}

// config returns a connection config for the listener.
func (p *probeCounter) config(t *testing.T) *pgx.ConnConfig {
	t.Helper()
	cfg, err := pgx.ParseConfig("postgres://probe@" + p.ln.Addr().String() + "/probe?connect_timeout=5&sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestRouteWaitsOnlyWhenItCanHelp checks the decisions route makes without
// a server: with nothing to wait for, or no replica that could catch up,
// it answers without probing; when a replica could catch up, it probes.
func TestRouteWaitsOnlyWhenItCanHelp(t *testing.T) {
	t.Parallel()
	session := func(lsn uint64) context.Context {
		s := new(Session)
		s.SetLSN(lsn)
		return WithSession(context.Background(), s)
	}
	tests := []struct {
		name    string
		wait    time.Duration
		setup   func(r *endpoint)
		ctx     context.Context
		cl      class
		replica bool
		probes  bool
	}{
		{"replica behind the write: waits", time.Hour, func(r *endpoint) { r.replayLSN.Store(5) }, session(10), classRead, false, true},
		{"replica has the write", time.Hour, func(r *endpoint) { r.replayLSN.Store(10) }, session(10), classRead, true, false},
		{"no wait configured", 0, func(r *endpoint) { r.replayLSN.Store(5) }, session(10), classRead, false, false},
		{"replica down: nothing to wait for", time.Hour, func(r *endpoint) { r.up.Store(false) }, session(10), classRead, false, false},
		{"replica lagging: nothing to wait for", time.Hour,
			func(r *endpoint) { r.lagNanos.Store(int64(time.Minute)) }, session(10), classRead, false, false},
		{"replica breaker open: nothing to wait for", time.Hour,
			func(r *endpoint) { r.br.state.Store(int32(BreakerOpen)) }, session(10), classRead, false, false},
		{"a write never waits", time.Hour, func(r *endpoint) { r.replayLSN.Store(5) }, session(10), 0, false, false},
		{"UsePrimary never waits", time.Hour, func(r *endpoint) { r.replayLSN.Store(5) }, UsePrimary(session(10)), classRead, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := benchDB(1)
			db.cfg.ReplicaWait = tt.wait
			probes := newProbeCounter(t)
			db.replicas[0].probe = probes.config(t)
			tt.setup(db.replicas[0])
			e := db.route(tt.ctx, stateOf(tt.ctx), tt.cl)
			if e.replica != tt.replica {
				t.Errorf("route chose replica=%v, want %v", e.replica, tt.replica)
			}
			if got := probes.count.Load() > 0; got != tt.probes {
				t.Errorf("route probed the replica: %v, want %v", got, tt.probes)
			}
		})
	}
}

func TestLSNText(t *testing.T) {
	t.Parallel()
	good := []struct {
		text string
		lsn  uint64
		back string // FormatLSN(lsn)
	}{
		{"0/0", 0, "0/0"},
		{"0/3A1B2C8", 0x3A1B2C8, "0/3A1B2C8"},
		{"16/b374d848", 0x16_B374D848, "16/B374D848"},
		{"FFFFFFFF/FFFFFFFF", math.MaxUint64, "FFFFFFFF/FFFFFFFF"},
		{"00000001/00000000", 1 << 32, "1/0"},
	}
	for _, tt := range good {
		got, err := ParseLSN(tt.text)
		if err != nil || got != tt.lsn {
			t.Errorf("ParseLSN(%q) = %#x, %v; want %#x", tt.text, got, err, tt.lsn)
		}
		if s := FormatLSN(tt.lsn); s != tt.back {
			t.Errorf("FormatLSN(%#x) = %q, want %q", tt.lsn, s, tt.back)
		}
	}
	for _, bad := range []string{"", "/", "0/", "/0", "0", "1/2/3", "nope", "0/0'; --", "+1/2", "0x1/2",
		"123456789/0", "0/123456789", " 0/0", "0/0 ", "g/0"} {
		if lsn, err := ParseLSN(bad); !errors.Is(err, ErrLSNSyntax) {
			t.Errorf("ParseLSN(%q) = %#x, %v; want ErrLSNSyntax", bad, lsn, err)
		}
	}
}

func FuzzParseLSN(f *testing.F) {
	for _, s := range []string{"0/0", "16/B374D848", "FFFFFFFF/FFFFFFFF", "1/2/3", "", "0/0'; --"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		lsn, err := ParseLSN(text)
		if err != nil {
			if !errors.Is(err, ErrLSNSyntax) {
				t.Fatalf("ParseLSN(%q) error %v does not match ErrLSNSyntax", text, err)
			}
			return
		}
		again, err := ParseLSN(FormatLSN(lsn))
		if err != nil || again != lsn {
			t.Fatalf("round trip of %q: %#x -> %q -> %#x, %v", text, lsn, FormatLSN(lsn), again, err)
		}
	})
}

// recordingTracer is an EndpointTracer that remembers what it was asked for.
type recordingTracer struct {
	label  string
	nilFor string // ForEndpoint returns nil for this label
}

func (r *recordingTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	return ctx
}
func (r *recordingTracer) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
func (r *recordingTracer) ForEndpoint(label string) pgx.QueryTracer {
	if label == r.nilFor {
		return nil
	}
	return &recordingTracer{label: label}
}

type plainTracer struct{}

func (plainTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	return ctx
}
func (plainTracer) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func TestConfigTracerPerEndpoint(t *testing.T) {
	t.Parallel()
	label := func(tr pgx.QueryTracer) string {
		if r, ok := tr.(*recordingTracer); ok {
			return r.label
		}
		return fmt.Sprintf("%T", tr)
	}
	cfg := Config{
		ConnString:         "postgres://app@db1/app",
		ReplicaConnStrings: []string{"postgres://app@db2/app", "postgres://app@db3/app"},
		Tracer:             &recordingTracer{label: "original"},
	}
	b, err := cfg.build()
	if err != nil {
		t.Fatal(err)
	}
	if got := label(b.primary.pool.ConnConfig.Tracer); got != EndpointPrimary {
		t.Errorf("primary's tracer is labeled %q, want %q", got, EndpointPrimary)
	}
	for i, r := range b.replicas {
		if got := label(r.pool.ConnConfig.Tracer); got != EndpointReplica {
			t.Errorf("replica %d's tracer is labeled %q, want %q", i, got, EndpointReplica)
		}
	}

	cfg.Tracer = &recordingTracer{label: "original", nilFor: EndpointReplica}
	if b, err = cfg.build(); err != nil {
		t.Fatal(err)
	}
	if got := label(b.replicas[0].pool.ConnConfig.Tracer); got != "original" {
		t.Errorf("a nil ForEndpoint result gave the replica %q, want the original tracer", got)
	}

	cfg.Tracer = plainTracer{}
	if b, err = cfg.build(); err != nil {
		t.Fatal(err)
	}
	if _, ok := b.primary.pool.ConnConfig.Tracer.(plainTracer); !ok {
		t.Errorf("a tracer without ForEndpoint became %T, want itself", b.primary.pool.ConnConfig.Tracer)
	}
	if _, ok := b.replicas[1].pool.ConnConfig.Tracer.(plainTracer); !ok {
		t.Errorf("a tracer without ForEndpoint became %T on a replica, want itself", b.replicas[1].pool.ConnConfig.Tracer)
	}
}

// endpointRetryTracer is an EndpointTracer that also wants retries.
type endpointRetryTracer struct {
	recordingTracer
	retries []RetryEvent
}

func (r *endpointRetryTracer) TraceRetry(_ context.Context, ev RetryEvent) {
	r.retries = append(r.retries, ev)
}

// TestRetriesReachTheOriginalTracer checks that handing out per-endpoint
// copies does not hide a RetryTracer: retries go to Config.Tracer itself.
func TestRetriesReachTheOriginalTracer(t *testing.T) {
	t.Parallel()
	rec := &endpointRetryTracer{recordingTracer: recordingTracer{label: "original"}}
	cfg := Config{ConnString: "postgres://app@db1/app", Tracer: rec,
		Retry: RetryConfig{BaseDelay: time.Microsecond, MaxDelay: time.Microsecond}}
	b, err := cfg.build()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := b.primary.pool.ConnConfig.Tracer.(*recordingTracer); !ok {
		t.Fatalf("primary's tracer is %T, want the per-endpoint copy", b.primary.pool.ConnConfig.Tracer)
	}
	db := &DB{cfg: b.cfg}
	p := &retryPlan{db: db, ctx: context.Background(), sql: "SELECT 1", endpoint: "primary (db1:5432)",
		mayRetry: func(error, int) bool { return true }}
	_ = p.run(io.EOF, func() error { return nil })
	if len(rec.retries) != 1 || !errors.Is(rec.retries[0].Err, io.EOF) {
		t.Errorf("the configured tracer saw retries %+v, want one retry of the EOF", rec.retries)
	}
}

// TestProbeSkippedWhenUnneeded: a probe whose turn comes after another
// probe already published what it wanted makes no round trip.
func TestProbeSkippedWhenUnneeded(t *testing.T) {
	t.Parallel()
	probes := newProbeCounter(t)
	r := &endpoint{name: "replica", replica: true, probe: probes.config(t)}
	if _, err := r.prober.run(context.Background(), r, func() bool { return true }); !errors.Is(err, errProbeUnneeded) {
		t.Fatalf("run = %v, want errProbeUnneeded", err)
	}
	if n := probes.count.Load(); n != 0 {
		t.Errorf("an unneeded probe connected %d times", n)
	}
	if _, err := r.prober.run(context.Background(), r, func() bool { return false }); err == nil || errors.Is(err, errProbeUnneeded) {
		t.Fatalf("a needed probe = %v, want the failure of its connection", err)
	}
	if n := probes.count.Load(); n != 1 {
		t.Errorf("a needed probe connected %d times, want 1", n)
	}
}
