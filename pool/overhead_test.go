package pool

import (
	"context"
	"testing"
)

// benchDB builds a DB with n replicas that are up, without any server: the
// decisions *DB makes per call can be timed apart from the round trip
// (e2e/pool's BenchmarkSelectByPK times the whole call against pgxpool).
func benchDB(n int) *DB {
	db := &DB{cfg: Config{}.withDefaults()}
	db.primary = &endpoint{name: "primary", br: newBreaker("primary", EndpointPrimary, db.cfg.Breaker)}
	for range n {
		r := &endpoint{name: "replica", replica: true, br: newBreaker("replica", EndpointReplica, db.cfg.Breaker)}
		r.up.Store(true)
		r.inRecovery.Store(true)
		db.replicas = append(db.replicas, r)
	}
	return db
}

var sinkRow *row

// hotPath is what DB.QueryRow(...).Scan adds around pgxpool's own call:
// ctx lookup, the row value, admission and classification, routing and the
// breaker's fast path.
func hotPath(ctx context.Context, db *DB, sql string) {
	st := stateOf(ctx)
	r := &row{db: db, ctx: ctx, st: st, sql: sql}
	cl, err := db.admit(r.sql)
	if err != nil {
		panic(err)
	}
	e := db.route(ctx, r.st, cl)
	t, err := e.br.allow()
	if err != nil {
		panic(err)
	}
	e.br.finish(t, outcomeOf(ctx, nil))
	db.afterWrite(ctx, st, cl, e)
	sinkRow = r
}

func BenchmarkHotPathOverhead(b *testing.B) {
	const q = "SELECT id, email FROM users WHERE id = $1"
	for _, tc := range []struct {
		name     string
		replicas int
	}{{"primary-only", 0}, {"two-replicas", 2}} {
		db := benchDB(tc.replicas)
		ctx := context.Background()
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				hotPath(ctx, db, q)
			}
		})
		b.Run(tc.name+"/parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					hotPath(ctx, db, q)
				}
			})
		})
	}
}

func TestHotPathAllocatesOnlyTheRow(t *testing.T) { // not parallel: AllocsPerRun
	db := benchDB(2)
	ctx := context.Background()
	const q = "SELECT id FROM users WHERE id = $1"
	hotPath(ctx, db, q) // caches the classification
	if allocs := testing.AllocsPerRun(1000, func() { hotPath(ctx, db, q) }); allocs != 1 {
		t.Errorf("hot path allocates %v times per call, want 1 (the row)", allocs)
	}
	if e := db.pick(stateOf(ctx), db.cls.classify(q), nil); !e.replica {
		t.Error("read not routed to an up replica")
	}
}
