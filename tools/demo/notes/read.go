package notes

import (
	"context"
	"fmt"
	"time"

	"github.com/normkit/norm/pool"
)

// Headers of the read-your-writes protocol: writes answer with the
// primary's WAL position, clients send the latest one back with reads.
const (
	LSNHeader      = "X-LSN"
	ServedByHeader = "X-Served-By"
)

// replicaWait is the pool's Config.ReplicaWait: how long a read waits for
// the replica to replay the client's last write before the primary
// answers instead. Replication on one machine takes milliseconds, and a
// read that waits that long spares the primary.
const replicaWait = 250 * time.Millisecond

// read runs fn in a read-only transaction that pool routes like a read:
// on the replica once it has replayed minLSN (the client's last write),
// waiting up to replicaWait for it, otherwise on the primary. The
// transaction travels in the ctx fn gets, so repositories over the pool
// join it, and pool's OnBegin (rlsutil.ApplyContext) has already put it
// under the request's tenant, on either server. read returns the endpoint
// that answered, as the server itself reports it (pg_is_in_recovery()).
func (s *Service) read(ctx context.Context, minLSN uint64, fn func(ctx context.Context) error) (string, error) {
	session := new(pool.Session)
	session.SetLSN(minLSN)
	var served string
	err := s.db.InTx(pool.WithSession(ctx, session), func(ctx context.Context) error {
		var standby bool
		if err := s.db.QueryRow(ctx, "SELECT pg_is_in_recovery()").Scan(&standby); err != nil {
			return fmt.Errorf("notes: read endpoint: %w", err)
		}
		served = pool.EndpointPrimary
		if standby {
			served = pool.EndpointReplica
		}
		return fn(ctx)
	}, pool.ReadOnly())
	return served, err
}
