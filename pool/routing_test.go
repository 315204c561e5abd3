package pool

import (
	"context"
	"testing"
	"time"
)

func TestPick(t *testing.T) {
	t.Parallel()
	const read = classRead
	tests := []struct {
		name    string
		setup   func(db *DB) // adjust replicas
		ctx     func(context.Context) context.Context
		cl      class
		avoid   int // replica index to avoid, -1 none
		wantRep int // replica index chosen, -1 primary
	}{
		{"read to replica", nil, nil, read, -1, 0},
		{"write to primary", nil, nil, 0, -1, -1},
		{"UsePrimary read", nil, UsePrimary, read, -1, -1},
		{"UseReplica unsure", nil, UseReplica, 0, -1, 0},
		{"replica down", func(db *DB) { db.replicas[0].up.Store(false) }, nil, read, -1, -1},
		{"replica lagging", func(db *DB) { db.replicas[0].lagNanos.Store(int64(time.Minute)) }, nil, read, -1, -1},
		{"replica lag at the bound", func(db *DB) { db.replicas[0].lagNanos.Store(int64(DefaultMaxReplicaLag)) }, nil, read, -1, 0},
		{"replica breaker open", func(db *DB) { db.replicas[0].br.state.Store(int32(BreakerOpen)) }, nil, read, -1, -1},
		{"replica breaker half-open", func(db *DB) { db.replicas[0].br.state.Store(int32(BreakerHalfOpen)) }, nil, read, -1, 0},
		{"avoid the replica that failed", nil, nil, read, 0, -1},
		{"session ahead of replica", func(db *DB) { db.replicas[0].replayLSN.Store(100) },
			func(ctx context.Context) context.Context {
				s := new(Session)
				s.SetLSN(101)
				return WithSession(ctx, s)
			}, read, -1, -1},
		{"replica replayed the session's write", func(db *DB) { db.replicas[0].replayLSN.Store(101) },
			func(ctx context.Context) context.Context {
				s := new(Session)
				s.SetLSN(101)
				return WithSession(ctx, s)
			}, read, -1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := benchDB(1)
			if tt.setup != nil {
				tt.setup(db)
			}
			ctx := context.Background()
			if tt.ctx != nil {
				ctx = tt.ctx(ctx)
			}
			var avoid *endpoint
			if tt.avoid >= 0 {
				avoid = db.replicas[tt.avoid]
			}
			got := db.pick(stateOf(ctx), tt.cl, avoid)
			want := db.primary
			if tt.wantRep >= 0 {
				want = db.replicas[tt.wantRep]
			}
			if got != want {
				t.Errorf("picked %s (replica=%v), want replica index %d", got.name, got.replica, tt.wantRep)
			}
		})
	}
}

func TestPickRoundRobin(t *testing.T) {
	t.Parallel()
	db := benchDB(3)
	for i := range db.replicas {
		db.replicas[i].name = string(rune('a' + i))
	}
	seen := map[string]int{}
	for range 30 {
		seen[db.pick(nil, classRead, nil).name]++
	}
	if len(seen) != 3 || seen["a"] != 10 || seen["b"] != 10 || seen["c"] != 10 {
		t.Errorf("reads per replica = %v, want 10 each", seen)
	}
	db.replicas[1].up.Store(false)
	clear(seen)
	for range 30 {
		seen[db.pick(nil, classRead, nil).name]++
	}
	if seen["b"] != 0 || seen["a"]+seen["c"] != 30 {
		t.Errorf("reads with b down = %v, want none on b", seen)
	}
}

func TestCtxOptionsCompose(t *testing.T) {
	t.Parallel()
	s := new(Session)
	ctx := Idempotent(WithSession(UsePrimary(context.Background()), s))
	st := stateOf(ctx)
	if st == nil || st.route != routePrimary || !st.idempotent || st.session != s {
		t.Fatalf("state = %+v, want primary route, idempotent and the session", st)
	}
	if ReadYourWrites(ctx) != ctx || SessionFrom(ctx) != s {
		t.Error("ReadYourWrites replaced an existing session")
	}
	if SessionFrom(context.Background()) != nil {
		t.Error("SessionFrom on a bare ctx is not nil")
	}
	if stateOf(UsePrimary(context.Background())).idempotent {
		t.Error("a fresh ctx inherited idempotent")
	}
}

func TestSessionLSNOnlyMovesForward(t *testing.T) {
	t.Parallel()
	var s Session
	s.SetLSN(10)
	s.SetLSN(5)
	if s.LSN() != 10 {
		t.Errorf("LSN = %d, want 10", s.LSN())
	}
	s.SetLSN(11)
	if s.LSN() != 11 {
		t.Errorf("LSN = %d, want 11", s.LSN())
	}
}
