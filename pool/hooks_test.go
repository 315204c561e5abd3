package pool

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

func TestChainHooksShouldPingAsksBoth(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		user func(context.Context, pgxpool.ShouldPingParams) bool
		idle time.Duration
		want bool
	}{
		{"no user hook, fresh", nil, 0, false},
		{"no user hook, idle", nil, 2 * time.Second, true},
		{"user says no, norm says yes", func(context.Context, pgxpool.ShouldPingParams) bool { return false }, 2 * time.Second, true},
		{"user says yes, norm says no", func(context.Context, pgxpool.ShouldPingParams) bool { return true }, 0, true},
		{"both say no", func(context.Context, pgxpool.ShouldPingParams) bool { return false }, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := &DB{}
			pc := &pgxpool.Config{ConnConfig: &pgx.ConnConfig{}, ShouldPing: tc.user}
			e := newEndpoint(endpointConfig{name: "primary", pool: pc}, false, BreakerConfig{}.withDefaults())
			db.chainHooks(e, pc)
			if got := pc.ShouldPing(context.Background(), pgxpool.ShouldPingParams{IdleDuration: tc.idle}); got != tc.want {
				t.Errorf("ShouldPing = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestChainHooksUserAfterConnectFirst(t *testing.T) {
	t.Parallel()
	db := &DB{}
	boom := errors.New("boom")
	pc := &pgxpool.Config{ConnConfig: &pgx.ConnConfig{},
		AfterConnect: func(context.Context, *pgx.Conn) error { return boom }}
	e := newEndpoint(endpointConfig{name: "primary", pool: pc}, false, BreakerConfig{}.withDefaults())
	db.chainHooks(e, pc)
	// norm's part would dereference the (nil) connection: the user's error
	// must stop the chain before it.
	if err := pc.AfterConnect(context.Background(), nil); !errors.Is(err, boom) {
		t.Fatalf("AfterConnect = %v, want the user's error", err)
	}
	if n := len(db.conns.all()); n != 0 {
		t.Errorf("a connection the user's hook rejected was registered (%d)", n)
	}
	var closed int
	pc2 := &pgxpool.Config{ConnConfig: &pgx.ConnConfig{}, BeforeClose: func(*pgx.Conn) { closed++ }}
	db.chainHooks(e, pc2)
	pc2.BeforeClose(&pgx.Conn{})
	if closed != 1 {
		t.Errorf("the user's BeforeClose ran %d times, want 1", closed)
	}
}
