package repo

import (
	"context"
	"testing"
	"time"

	"github.com/normkit/norm/e2e"
	"github.com/normkit/norm/repo"
)

// nopAuditor drops every record.
type nopAuditor struct{}

func (nopAuditor) Audit(context.Context, repo.AuditRecord) error { return nil }

// BenchmarkAuditedUpdate is the cost of an auditor on Update: the audited
// statement also locks and returns the row as it was, and the record is
// built. "plain" and "audited" give allocations; "paired" alternates them
// and reports the medians and audited/plain.
//
//	go test -run '^$' -bench AuditedUpdate -benchmem -benchtime 2000x ./repo/
func BenchmarkAuditedUpdate(b *testing.B) {
	ctx := context.Background()
	conn, plain := benchSetup(b)
	audited, err := repo.New[Account](conn, repo.WithAuditor(nopAuditor{}, nil))
	if err != nil {
		b.Fatal(err)
	}
	update := func(r *repo.Repository[Account], i int) error {
		a := Account{ID: int64(i%2000 + 1), Email: "u@x", Name: "u", Score: int32(i), CreatedAt: time.Now()}
		return r.Update(ctx, &a)
	}
	for _, side := range []struct {
		name string
		r    *repo.Repository[Account]
	}{{"plain", plain}, {"audited", audited}} {
		b.Run(side.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if err := update(side.r, i); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("paired", func(b *testing.B) {
		var tp, ta []time.Duration
		timed := func(r *repo.Repository[Account], i int, into *[]time.Duration) {
			t0 := time.Now()
			if err := update(r, i); err != nil {
				b.Fatal(err)
			}
			*into = append(*into, time.Since(t0))
		}
		for i := 0; b.Loop(); i++ {
			if i%2 == 0 {
				timed(plain, i, &tp)
				timed(audited, i, &ta)
			} else {
				timed(audited, i, &ta)
				timed(plain, i, &tp)
			}
		}
		mp, ma := e2e.Median(tp), e2e.Median(ta)
		b.ReportMetric(float64(mp.Nanoseconds()), "plain-ns/op")
		b.ReportMetric(float64(ma.Nanoseconds()), "audited-ns/op")
		b.ReportMetric(float64(ma)/float64(mp), "audited/plain")
	})
}
