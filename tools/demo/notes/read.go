package notes

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/normkit/norm/observe"
	"github.com/normkit/norm/rlsutil"
)

// Headers of the read-your-writes protocol: writes answer with the
// primary's WAL position, clients send the latest one back with reads.
const (
	LSNHeader      = "X-LSN"
	ServedByHeader = "X-Served-By"
)

// Endpoint names reported in ServedByHeader.
const (
	EndpointPrimary = "primary"
	EndpointReplica = "replica"
)

// errBehind says the replica has not replayed the client's last write.
var errBehind = errors.New("replica behind the client's last write")

// read runs fn in a read-only tenant transaction on a replica that has
// replayed minLSN, or on the primary when none has. It returns the
// endpoint that answered, as the server itself reports it
// (pg_is_in_recovery()).
func (s *Service) read(ctx context.Context, minLSN string, fn func(ctx context.Context, tx pgx.Tx) error) (string, error) {
	if minLSN == "" {
		minLSN = "0/0"
	}
	deadline := time.Now().Add(replicaWait)
	for {
		served, err := readOn(ctx, s.db.Replica(), minLSN, fn)
		if !errors.Is(err, errBehind) {
			return served, err
		}
		if time.Now().After(deadline) {
			return readOn(ctx, s.db.Primary(), minLSN, fn)
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// replicaWait bounds how long a read waits for the replica to replay the
// client's last write before the primary answers instead: replication on
// one machine takes milliseconds, and a read that waits that long spares
// the primary.
const replicaWait = 250 * time.Millisecond

// readOn checks the server's replay position first (a replica that is
// behind may not even know the tenant's role yet), then applies the
// tenant settings from ctx and runs fn.
func readOn(ctx context.Context, p *pgxpool.Pool, minLSN string, fn func(ctx context.Context, tx pgx.Tx) error) (served string, err error) {
	tx, err := p.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	if err != nil {
		return "", fmt.Errorf("notes: begin read: %w", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	var standby, caughtUp bool
	err = tx.QueryRow(ctx, "SELECT pg_is_in_recovery(), coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, true)", minLSN).
		Scan(&standby, &caughtUp)
	if err != nil {
		return "", fmt.Errorf("notes: read position: %w", err)
	}
	if !caughtUp {
		return "", errBehind
	}
	served = EndpointPrimary
	if standby {
		served = EndpointReplica
	}
	ctx = observe.WithEndpoint(ctx, served) // logs and metrics name the server that answered
	if err := rlsutil.Apply(ctx, tx, rlsutil.SettingsFromContext(ctx)); err != nil {
		return served, err
	}
	if err := fn(ctx, tx); err != nil {
		return served, err
	}
	if err := tx.Commit(ctx); err != nil {
		return served, fmt.Errorf("notes: commit read: %w", err)
	}
	return served, nil
}

// currentLSN returns the primary's WAL insert position after a write.
func (s *Service) currentLSN(ctx context.Context) (string, error) {
	var lsn string
	if err := s.db.Primary().QueryRow(ctx, "SELECT pg_current_wal_insert_lsn()::text").Scan(&lsn); err != nil {
		return "", fmt.Errorf("notes: wal position: %w", err)
	}
	return lsn, nil
}
