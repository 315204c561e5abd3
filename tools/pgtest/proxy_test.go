package pgtest

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"runtime"
	"testing"
	"time"
)

// msg frames a typed protocol message.
func msg(typ byte, body string) []byte {
	b := []byte{typ, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(b[1:], uint32(4+len(body)))
	return append(b, body...)
}

// untyped frames a startup-phase message (length, code, payload).
func untyped(code uint32, payload string) []byte {
	b := make([]byte, 8, 8+len(payload))
	binary.BigEndian.PutUint32(b, uint32(8+len(payload)))
	binary.BigEndian.PutUint32(b[4:], code)
	return append(b, payload...)
}

func join(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// runFilter feeds stream to a replyFilter in chunks of size n and returns
// what it forwards and whether it asked to close.
func runFilter(stream []byte, n int, pending bool, lose func() bool) ([]byte, bool) {
	f := replyFilter{pending: pending}
	var out []byte
	for len(stream) > 0 {
		k := min(n, len(stream))
		got, done := f.filter(stream[:k], lose)
		out = append(out, got...)
		stream = stream[k:]
		if done {
			return out, true
		}
	}
	return out, false
}

func TestReplyFilter(t *testing.T) {
	t.Parallel()
	startup := join(msg('R', "\x00\x00\x00\x00"), msg('S', "a\x00b\x00"), msg('K', "12345678"), msg('Z', "I"))
	prepare := join(msg('1', ""), msg('t', "\x00\x00"), msg('T', "\x00\x00"), msg('Z', "I"))
	execute := join(msg('2', ""), msg('D', "\x00\x01"), msg('C', "INSERT 0 1\x00"), msg('Z', "I"))
	always := func() bool { return true }
	never := func() bool { return false }
	tests := []struct {
		name     string
		stream   []byte
		pending  bool
		lose     func() bool
		want     []byte
		wantDone bool
	}{
		{"pass", join(startup, prepare, execute), false, never, join(startup, prepare, execute), false},
		{"lose after the prepare round trip", join(startup, prepare, execute), false, always,
			join(startup, prepare, msg('2', "")), true},
		{"an error during startup is not a result", join(msg('E', "x\x00"), msg('Z', "I")), false, always,
			join(msg('E', "x\x00"), msg('Z', "I")), false},
		{"error result is lost", join(startup, msg('E', "boom\x00"), msg('Z', "I"), msg('S', "late")), false, always,
			startup, true},
		{"SSL refused, then typed", join([]byte("N"), startup, execute), true, always,
			join([]byte("N"), startup, msg('2', "")), true},
		{"SSL accepted: blind", join([]byte("S"), []byte{'C', 0, 0, 0, 0}), true, always,
			join([]byte("S"), []byte{'C', 0, 0, 0, 0}), false},
	}
	for _, tt := range tests {
		for _, n := range []int{1, 2, 3, 5, 7, 1 << 20} {
			got, done := runFilter(tt.stream, n, tt.pending, tt.lose)
			if !bytes.Equal(got, tt.want) || done != tt.wantDone {
				t.Errorf("%s, chunks of %d: got %q done=%v, want %q done=%v", tt.name, n, got, done, tt.want, tt.wantDone)
			}
		}
	}
}

func TestStartupScanner(t *testing.T) {
	t.Parallel()
	stream := join(untyped(codeGSSENCRequest, ""), untyped(codeSSLRequest, ""), untyped(196608, "user\x00u\x00\x00"), msg('Q', "SELECT 1\x00"))
	for _, n := range []int{1, 3, 8, 1 << 20} {
		var s startupScanner
		requests := 0
		for b := stream; len(b) > 0; {
			k := min(n, len(b))
			s.scan(b[:k], func() { requests++ })
			b = b[k:]
		}
		if requests != 2 || !s.done {
			t.Errorf("chunks of %d: %d requests, done=%v; want 2, true", n, requests, s.done)
		}
	}
}

func TestStatPPID(t *testing.T) {
	t.Parallel()
	for stat, want := range map[string]int{
		"123 (postgres) S 77 123 123 0 -1":              77,
		"9 (postgres: walwriter ) S 8 9 9 0":            8,
		"10 (odd) name) (x) R 1 10 10":                  1,
		"11 (postgres: postgres db 127.0.0.1(5)) S 4 1": 4,
	} {
		got, ok := statPPID([]byte(stat))
		if !ok || got != want {
			t.Errorf("statPPID(%q) = %d, %v; want %d", stat, got, ok, want)
		}
	}
	if _, ok := statPPID([]byte("garbage")); ok {
		t.Error("statPPID accepted garbage")
	}
}

// fakeServer is just enough of a PostgreSQL server: it answers an
// SSLRequest with 'N', authenticates anyone, and answers every Query
// message one byte at a time (so messages arrive split), counting the
// queries it ran.
type fakeServer struct {
	ln   net.Listener
	runs chan string
}

func startFakeServer(t *testing.T) *fakeServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fs := &fakeServer{ln: ln, runs: make(chan string, 100)}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go fs.serve(c)
		}
	}()
	return fs
}

func (fs *fakeServer) serve(c net.Conn) {
	defer c.Close()
	for {
		hdr := make([]byte, 8)
		if _, err := io.ReadFull(c, hdr); err != nil {
			return
		}
		rest := make([]byte, binary.BigEndian.Uint32(hdr)-8)
		if _, err := io.ReadFull(c, rest); err != nil {
			return
		}
		if binary.BigEndian.Uint32(hdr[4:]) == codeSSLRequest {
			_, _ = c.Write([]byte("N"))
			continue
		}
		break
	}
	writeSlowly(c, join(msg('R', "\x00\x00\x00\x00"), msg('Z', "I")))
	for {
		hdr := make([]byte, 5)
		if _, err := io.ReadFull(c, hdr); err != nil {
			return
		}
		body := make([]byte, binary.BigEndian.Uint32(hdr[1:])-4)
		if _, err := io.ReadFull(c, body); err != nil {
			return
		}
		switch hdr[0] {
		case 'Q':
			fs.runs <- string(bytes.TrimRight(body, "\x00"))
			writeSlowly(c, join(msg('T', "\x00\x00"), msg('D', "\x00\x00"), msg('C', "SELECT 1\x00"), msg('Z', "I")))
		case 'X':
			return
		}
	}
}

func writeSlowly(c net.Conn, b []byte) {
	for i := range b {
		if _, err := c.Write(b[i : i+1]); err != nil {
			return
		}
	}
}

// fakeClient connects through p, negotiates (SSL refused) and logs in.
func fakeClient(t *testing.T, p *Proxy) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write(untyped(codeSSLRequest, "")); err != nil {
		t.Fatal(err)
	}
	one := make([]byte, 1)
	if _, err := io.ReadFull(c, one); err != nil || one[0] != 'N' {
		t.Fatalf("SSL answer %q, %v", one, err)
	}
	if _, err := c.Write(untyped(196608, "user\x00u\x00\x00")); err != nil {
		t.Fatal(err)
	}
	readUntilReady(t, c)
	return c
}

// readUntilReady reads messages until ReadyForQuery and returns their
// types, or the types read before an error.
func readUntilReady(t *testing.T, c net.Conn) (string, error) {
	t.Helper()
	var types []byte
	for {
		hdr := make([]byte, 5)
		if _, err := io.ReadFull(c, hdr); err != nil {
			return string(types), err
		}
		body := make([]byte, binary.BigEndian.Uint32(hdr[1:])-4)
		if _, err := io.ReadFull(c, body); err != nil {
			return string(types), err
		}
		types = append(types, hdr[0])
		if hdr[0] == 'Z' {
			return string(types), nil
		}
	}
}

func TestProxyFakeServer(t *testing.T) {
	before := runtime.NumGoroutine()
	fs := startFakeServer(t)
	p, err := startProxy(context.Background(), fs.ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}

	a := fakeClient(t, p)
	if _, err := a.Write(msg('Q', "one\x00")); err != nil {
		t.Fatal(err)
	}
	if types, err := readUntilReady(t, a); err != nil || types != "TDCZ" {
		t.Fatalf("pass-through answer %q, %v", types, err)
	}

	// LoseNextReply: a loses its reply and is closed; b, after it, does not.
	b := fakeClient(t, p)
	p.LoseNextReply()
	if _, err := a.Write(msg('Q', "two\x00")); err != nil {
		t.Fatal(err)
	}
	types, err := readUntilReady(t, a)
	if types != "T" || !errors.Is(err, io.EOF) {
		t.Fatalf("lost answer: got %q then %v, want the RowDescription then EOF", types, err)
	}
	if _, err := b.Write(msg('Q', "three\x00")); err != nil {
		t.Fatal(err)
	}
	if types, err := readUntilReady(t, b); err != nil || types != "TDCZ" {
		t.Fatalf("answer after the one lost reply %q, %v", types, err)
	}
	for _, want := range []string{"one", "two", "three"} {
		if got := <-fs.runs; got != want {
			t.Fatalf("the server ran %q, want %q", got, want)
		}
	}

	// A client's half-close reaches the server, which closes in turn.
	if err := b.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	if n, err := b.Read(make([]byte, 1)); n != 0 || !errors.Is(err, io.EOF) {
		t.Fatalf("after half-closing: read %d, %v; want EOF", n, err)
	}

	// Black hole, then Close with a connection held in it.
	c := fakeClient(t, p)
	p.Blackhole()
	if _, err := c.Write(msg('Q', "held\x00")); err != nil {
		t.Fatal(err)
	}
	select {
	case q := <-fs.runs:
		t.Fatalf("the server ran %q through the black hole", q)
	case <-time.After(200 * time.Millisecond):
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	_ = p.Close()
	deadline := time.Now().Add(2 * time.Second)
	for {
		// the fake server's goroutines end once the proxy closed their
		// connections; the test's own connections are closed below.
		_ = a.Close()
		_ = b.Close()
		_ = c.Close()
		_ = fs.ln.Close()
		n := runtime.NumGoroutine()
		if n <= before {
			break
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines after Close, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(20 * time.Millisecond)
	}
}
