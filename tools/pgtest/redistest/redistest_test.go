package redistest

import (
	"context"
	"net"
	"os"
	"testing"
	"time"
)

func TestStartServesAndCloseRemovesEverything(t *testing.T) {
	t.Parallel()
	s := New(t)
	ctx := context.Background()
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("PING: %v", err)
	}
	host, _, err := net.SplitHostPort(s.Addr())
	if err != nil || host != "127.0.0.1" {
		t.Fatalf("address %q is not on loopback", s.Addr())
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(s.dir); !os.IsNotExist(err) {
		t.Fatalf("directory %s left behind: %v", s.dir, err)
	}
	c, err := net.DialTimeout("tcp", s.Addr(), time.Second)
	if err == nil {
		c.Close()
		t.Fatal("the server still accepts connections after Close")
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestTwoServersDoNotShareAPort(t *testing.T) {
	t.Parallel()
	a, b := New(t), New(t)
	if a.Addr() == b.Addr() {
		t.Fatalf("both on %s", a.Addr())
	}
}
