package pgtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Target names the server of a local cluster that a Proxy forwards to.
type Target int

const (
	// TargetPrimary is the primary server.
	TargetPrimary Target = iota + 1
	// TargetReplica is the streaming replica (Options.Replica).
	TargetReplica
	// TargetPgBouncer is PgBouncer in front of the primary (Options.PgBouncer).
	TargetPgBouncer
)

// String returns "primary", "replica" or "pgbouncer".
func (t Target) String() string {
	switch t {
	case TargetPrimary:
		return "primary"
	case TargetReplica:
		return "replica"
	case TargetPgBouncer:
		return "pgbouncer"
	}
	return "Target(" + strconv.Itoa(int(t)) + ")"
}

// Proxy is an in-process TCP proxy between clients and one server of a
// local cluster, with network faults that a test switches on and off while
// connections are open: added latency, a black hole, reset connections,
// and replies lost after the server committed (LoseReply). Connect to it
// with Database.DSNVia. The zero value is not usable; use
// Cluster.StartProxy or Cluster.NewProxy. Its methods are safe for
// concurrent use. A new Proxy passes everything through.
//
// The proxy is written here rather than embedded from Toxiproxy
// (github.com/Shopify/toxiproxy/v2) for two reasons. LoseReply must follow
// the PostgreSQL protocol in both directions at once (the client's startup
// and SSL negotiation decide how the server's bytes are framed) and close
// the connection at an exact message boundary; Toxiproxy's toxics each see
// one direction's byte chunks, are registered in a process-wide registry,
// and its proxy is built around its HTTP API server. And users import
// pgtest in their own tests: Toxiproxy would add gorilla/mux,
// prometheus/client_golang with protobuf, rs/xid and the unmaintained
// tomb.v1 to every such test build, for what takes a few hundred lines of
// the standard library.
//
// Faults apply to the bytes as they pass: latency and the black hole to
// both directions, LoseReply to the server's replies. TLS (sslmode=require
// and up) is forwarded untouched, but LoseReply cannot see inside it; the
// harness's DSNs use sslmode=disable.
type Proxy struct {
	upstream string
	ln       net.Listener
	ctx      context.Context // ends at Close: stops dials and waits
	cancel   context.CancelFunc
	wg       sync.WaitGroup

	mu        sync.Mutex
	changed   chan struct{} // closed and replaced whenever the faults change
	mode      proxyMode
	latency   time.Duration
	loseAll   bool
	loseOne   bool
	conns     map[*proxyConn]struct{}
	closed    bool
	closeOnce sync.Once
}

type proxyMode int

const (
	modePass proxyMode = iota
	modeBlackhole
	modeReset
)

// StartProxy starts a Proxy to the given server of a local cluster,
// listening on a free port of 127.0.0.1. The target's port is taken now:
// after Failover a proxy to TargetPrimary still forwards to the old
// primary's port. Close it when done. Clusters of other modes return an
// error wrapping ErrUnsupported, as does a target the cluster lacks.
func (c *Cluster) StartProxy(ctx context.Context, to Target) (*Proxy, error) {
	lc, err := c.needLocal("StartProxy")
	if err != nil {
		return nil, err
	}
	var port int
	switch to {
	case TargetPrimary:
		port = lc.primary.port
	case TargetReplica:
		if lc.replica == nil {
			return nil, fmt.Errorf("pgtest: StartProxy: the cluster has no replica (Options.Replica): %w", ErrUnsupported)
		}
		port = lc.replica.port
	case TargetPgBouncer:
		if lc.bouncer == nil {
			return nil, fmt.Errorf("pgtest: StartProxy: the cluster has no PgBouncer (Options.PgBouncer): %w", ErrUnsupported)
		}
		port = lc.bouncer.port
	default:
		return nil, fmt.Errorf("pgtest: StartProxy: unknown target %v", to)
	}
	return startProxy(ctx, net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
}

// startProxy starts a Proxy to upstream, any TCP address.
func startProxy(ctx context.Context, upstream string) (*Proxy, error) {
	var lcfg net.ListenConfig
	ln, err := lcfg.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("pgtest: StartProxy: listen on 127.0.0.1: %w", err)
	}
	pctx, cancel := context.WithCancel(context.WithoutCancel(ctx)) // outlives ctx, ends at Close
	p := &Proxy{
		upstream: upstream,
		ln:       ln,
		ctx:      pctx,
		cancel:   cancel,
		changed:  make(chan struct{}),
		conns:    map[*proxyConn]struct{}{},
	}
	p.wg.Add(1)
	go p.acceptLoop()
	return p, nil
}

// NewProxy is StartProxy for a test: it fails t when the proxy cannot be
// started and closes the proxy when t ends.
func (c *Cluster) NewProxy(t testing.TB, to Target) *Proxy {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p, err := c.StartProxy(ctx, to)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

// DSNVia is d's DSN (same database, user, password and parameters) with
// the proxy's host and port, so connections made with it go through p.
func (d *Database) DSNVia(p *Proxy) string {
	dsn := d.DSN()
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	u.Host = p.Addr()
	return u.String()
}

// Addr is the proxy's listening address, "127.0.0.1:port".
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Port is the proxy's listening port on 127.0.0.1.
func (p *Proxy) Port() int { return p.ln.Addr().(*net.TCPAddr).Port }

// Pass removes every fault: bytes flow both ways untouched again. Bytes a
// black hole held are forwarded now; connections already reset or closed
// by LoseReply stay closed.
func (p *Proxy) Pass() {
	p.set(func() {
		p.mode, p.latency, p.loseAll, p.loseOne = modePass, 0, false, false
	})
}

// Latency delays every chunk of bytes by d in both directions, on open and
// new connections, until Pass; a round trip takes at least 2*d more. It
// combines with the other faults. Zero or less removes the delay.
func (p *Proxy) Latency(d time.Duration) {
	p.set(func() { p.latency = max(d, 0) })
}

// Blackhole freezes the network: connections, open and new, are accepted
// and held, and nothing is forwarded either way (not even a close) until
// Pass, which forwards what was held. A client sees no error, only
// silence, so it needs a deadline. It replaces Reset.
func (p *Proxy) Blackhole() {
	p.set(func() { p.mode = modeBlackhole })
}

// Reset resets every open connection now (TCP RST to the client and the
// server), and resets new connections as soon as they are accepted, until
// Pass. It replaces Blackhole.
func (p *Proxy) Reset() {
	var conns []*proxyConn
	p.set(func() {
		p.mode = modeReset
		for pc := range p.conns {
			conns = append(conns, pc)
		}
	})
	for _, pc := range conns {
		pc.abort(true)
	}
}

// LoseReply loses the reply of the next statement on every connection,
// open and new, until Pass: the request reaches the server, which runs it
// (and, outside a transaction, commits it); the proxy forwards the server's
// answer up to its first result message (DataRow, CommandComplete,
// EmptyQueryResponse, PortalSuspended or ErrorResponse), discards the rest
// until the server's ReadyForQuery (so the statement has finished), then
// closes the connection. Messages before that, such as the
// ParseComplete, ParameterDescription and RowDescription of pgx's prepare
// round trip, pass, so every query mode reaches the Execute. A retry on a
// new connection loses its reply too: use LoseNextReply for "the first
// attempt's reply is lost, a retry succeeds". The connection's startup is
// never affected. Not supported inside TLS (bytes pass untouched).
//
// "Statement" means one round trip up to ReadyForQuery: a batch or a
// multi-statement query string loses the replies of all its statements.
// Arm it just before the statement whose reply is to be lost: to lose a
// COMMIT's reply, arm it after the transaction's other statements. A ping
// is a statement too (pgx's Ping and pgxpool's check of a connection that
// sat idle for over a second send an empty query, whose
// EmptyQueryResponse is lost).
func (p *Proxy) LoseReply() {
	p.set(func() { p.loseAll = true })
}

// LoseNextReply is LoseReply for exactly one reply across the proxy: the
// first connection whose server sends a statement's result loses it and is
// closed; everything else, before and after, passes through. Pass disarms
// it if no reply was lost yet. A pool's ping of an idle connection can be
// that first statement (see LoseReply); Ping the connection first or set
// the pool's ShouldPing to avoid it.
func (p *Proxy) LoseNextReply() {
	p.set(func() { p.loseOne = true })
}

// Close stops listening, closes every connection and waits until all the
// proxy's goroutines have ended. It is idempotent.
func (p *Proxy) Close() error {
	var err error
	p.closeOnce.Do(func() {
		var conns []*proxyConn
		p.set(func() {
			p.closed = true
			for pc := range p.conns {
				conns = append(conns, pc)
			}
		})
		p.cancel()
		err = p.ln.Close()
		for _, pc := range conns {
			pc.abort(false)
		}
		p.wg.Wait()
	})
	return err
}

// set changes the faults under the lock and wakes everyone waiting on
// them.
func (p *Proxy) set(change func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	change()
	close(p.changed)
	p.changed = make(chan struct{})
}

// state returns the current faults and a channel closed when they change.
func (p *Proxy) state() (proxyMode, time.Duration, <-chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.mode, p.latency, p.changed
}

// lose reports whether a statement's result on one connection is to be
// lost, claiming LoseNextReply's one loss.
func (p *Proxy) lose() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.loseAll {
		return true
	}
	if p.loseOne {
		p.loseOne = false
		return true
	}
	return false
}

func (p *Proxy) acceptLoop() {
	defer p.wg.Done()
	for {
		client, err := p.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			select {
			case <-p.ctx.Done():
				return
			case <-time.After(10 * time.Millisecond): // e.g. out of file descriptors
			}
			continue
		}
		p.wg.Add(1)
		go p.serve(client)
	}
}

// serve connects one client to the upstream server and forwards bytes
// until both directions have ended.
func (p *Proxy) serve(client net.Conn) {
	defer p.wg.Done()
	mode, _, _ := p.state()
	if mode == modeReset {
		resetClose(client)
		return
	}
	var d net.Dialer
	server, err := d.DialContext(p.ctx, "tcp", p.upstream)
	if err != nil {
		_ = client.Close()
		return
	}
	pc := &proxyConn{p: p, client: client, server: server, done: make(chan struct{})}
	p.mu.Lock()
	switch {
	case p.closed:
		p.mu.Unlock()
		pc.abort(false)
		return
	case p.mode == modeReset:
		p.mu.Unlock()
		pc.abort(true)
		return
	}
	p.conns[pc] = struct{}{}
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		delete(p.conns, pc)
		p.mu.Unlock()
	}()

	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); pc.pumpToServer() }()
	go func() { defer wg.Done(); pc.pumpToClient() }()
	wg.Wait()
	pc.abort(false)
}

// proxyConn is one client connection and its server connection.
type proxyConn struct {
	p      *Proxy
	client net.Conn
	server net.Conn

	mu         sync.Mutex
	sslPending bool // the client asked for SSL/GSS encryption: the next server byte answers it
	abortOnce  sync.Once
	done       chan struct{} // closed by abort
	halfClosed int           // directions that ended with EOF
}

// abort closes both sides, with a TCP reset when rst is set.
func (pc *proxyConn) abort(rst bool) {
	pc.abortOnce.Do(func() {
		close(pc.done)
		if rst {
			resetClose(pc.client)
			resetClose(pc.server)
			return
		}
		_ = pc.client.Close()
		_ = pc.server.Close()
	})
}

// resetClose closes c so that the peer gets a TCP RST instead of a FIN.
func resetClose(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = c.Close()
}

// pumpToServer forwards the client's bytes, following its startup
// messages so the server's answer to an SSLRequest is recognized.
func (pc *proxyConn) pumpToServer() {
	var startup startupScanner
	pc.pump(pc.client, pc.server, func(b []byte) ([]byte, bool) {
		if !startup.done {
			startup.scan(b, func() {
				pc.mu.Lock()
				pc.sslPending = true
				pc.mu.Unlock()
			})
		}
		return b, false
	})
}

// pumpToClient forwards the server's bytes through the LoseReply filter.
func (pc *proxyConn) pumpToClient() {
	var f replyFilter
	pc.pump(pc.server, pc.client, func(b []byte) ([]byte, bool) {
		pc.mu.Lock()
		if pc.sslPending {
			f.pending, pc.sslPending = true, false
		}
		pc.mu.Unlock()
		return f.filter(b, pc.p.lose)
	})
}

// pump copies src to dst chunk by chunk, each chunk passing the faults in
// force when it is forwarded: the black hole holds it, the latency delays
// it, and pass may rewrite it or end the connection (LoseReply). End of
// input is forwarded as a half-close, held by the black hole like data.
func (pc *proxyConn) pump(src, dst net.Conn, pass func([]byte) ([]byte, bool)) {
	buf := make([]byte, 32<<10)
	for {
		n, rerr := src.Read(buf)
		readAt := time.Now()
		if n > 0 {
			if !pc.waitOpen() {
				return
			}
			out, closeNow := pass(buf[:n])
			if !pc.delay(readAt) {
				return
			}
			if len(out) > 0 {
				if _, err := dst.Write(out); err != nil {
					pc.abort(false)
					return
				}
			}
			if closeNow {
				pc.abort(false)
				return
			}
		}
		if rerr != nil {
			if errors.Is(rerr, io.EOF) && pc.waitOpen() && pc.delay(readAt) {
				pc.halfClose(dst)
				return
			}
			if pc.waitOpen() { // an error, too, waits out the black hole
				pc.abort(false)
			}
			return
		}
	}
}

// halfClose forwards an end of input to dst; once both directions ended,
// the connection is done.
func (pc *proxyConn) halfClose(dst net.Conn) {
	if tc, ok := dst.(*net.TCPConn); ok {
		_ = tc.CloseWrite()
	}
	pc.mu.Lock()
	pc.halfClosed++
	both := pc.halfClosed == 2
	pc.mu.Unlock()
	if both || !isTCP(dst) {
		pc.abort(false)
	}
}

func isTCP(c net.Conn) bool { _, ok := c.(*net.TCPConn); return ok }

// waitOpen waits while the black hole holds traffic; it returns false when
// the connection was closed meanwhile.
func (pc *proxyConn) waitOpen() bool {
	for {
		mode, _, changed := pc.p.state()
		if mode != modeBlackhole {
			return true
		}
		select {
		case <-changed:
		case <-pc.done:
			return false
		}
	}
}

// delay sleeps until readAt plus the latency in force; it returns false
// when the connection was closed meanwhile.
func (pc *proxyConn) delay(readAt time.Time) bool {
	_, latency, _ := pc.p.state()
	wait := time.Until(readAt.Add(latency))
	if wait <= 0 {
		select {
		case <-pc.done:
			return false
		default:
			return true
		}
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-pc.done:
		return false
	}
}
