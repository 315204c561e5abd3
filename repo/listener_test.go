package repo

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// unreachable is a connection config no server answers (port 1 refuses
// on loopback), so the listener keeps retrying.
func unreachable(t *testing.T) *pgx.ConnConfig {
	t.Helper()
	cfg, err := pgx.ParseConfig("postgres://u@127.0.0.1:1/db?connect_timeout=1")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// settledGoroutines waits for the goroutine count to fall to at most n.
func settledGoroutines(n int) int {
	deadline := time.Now().Add(2 * time.Second)
	for {
		got := runtime.NumGoroutine()
		if got <= n || time.Now().After(deadline) {
			return got
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Not parallel: it counts the process's goroutines.
func TestListenerStopsItsGoroutine(t *testing.T) {
	tests := []struct {
		name string
		stop func(l *Listener, cancel context.CancelFunc)
	}{
		{"Close", func(l *Listener, _ context.CancelFunc) { _ = l.Close() }},
		{"ctx canceled", func(_ *Listener, cancel context.CancelFunc) { cancel() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := runtime.NumGoroutine()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			failed := make(chan error, 1)
			l, err := Listen(ctx, ListenerConfig{
				ConnConfig: unreachable(t),
				MinBackoff: time.Millisecond,
				MaxBackoff: 5 * time.Millisecond,
				OnError: func(err error) {
					select {
					case failed <- err:
					default:
					}
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			c := l.Guard(NewLRU(10, time.Minute, nil))
			select {
			case err := <-failed:
				if err == nil {
					t.Fatal("OnError got a nil error")
				}
			case <-time.After(5 * time.Second):
				t.Fatal("no connection failure reported in 5s")
			}
			if l.Connected() {
				t.Fatal("connected to nothing")
			}
			c.Set(ctx, "k", 1, 0)
			if _, ok := c.Get(ctx, "k"); ok {
				t.Fatal("a cache served while its listener never connected")
			}
			tt.stop(l, cancel)
			select {
			case <-l.done:
			case <-time.After(5 * time.Second):
				t.Fatal("the listener's goroutine did not end")
			}
			if err := l.WaitConnected(context.Background()); !errors.Is(err, ErrListenerClosed) {
				t.Fatalf("WaitConnected after stop: %v", err)
			}
			_ = l.Close() // twice is fine
			if got := settledGoroutines(base); got > base {
				t.Fatalf("%d goroutines after stop, %d before", got, base)
			}
		})
	}
}

func TestListenRejectsBadConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  ListenerConfig
	}{
		{"no connection", ListenerConfig{}},
		{"channel too long", ListenerConfig{ConnConfig: unreachable(t), Channel: string(make([]byte, 64))}},
		{"channel with NUL", ListenerConfig{ConnConfig: unreachable(t), Channel: "a\x00b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if l, err := Listen(context.Background(), tt.cfg); err == nil {
				_ = l.Close()
				t.Fatal("accepted")
			}
		})
	}
}
