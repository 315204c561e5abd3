package pgtest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5"
)

// startReplica clones the primary with pg_basebackup -R (which writes
// primary_conninfo, with application_name pgtest_replica, and
// standby.signal) and starts it as a hot standby.
func (lc *localCluster) startReplica(ctx context.Context) error {
	lc.replica = &server{name: "replica", dataDir: filepath.Join(lc.root, "replica"), logFile: filepath.Join(lc.root, "replica.log")}
	if !exists(filepath.Join(lc.replica.dataDir, "PG_VERSION")) {
		lc.logf("base backup of the primary into %s", lc.replica.dataDir)
		if err := lc.baseBackup(ctx, lc.primary, lc.replica.dataDir); err != nil {
			return err
		}
	}
	port, err := freePort(ctx)
	if err != nil {
		return err
	}
	lc.replica.port = port
	lc.logf("starting replica on 127.0.0.1:%d", port)
	if err := lc.startServer(ctx, lc.replica, true); err != nil {
		return err
	}
	return lc.waitStreaming(ctx)
}

// waitStreaming waits until the replica's WAL receiver is connected, so a
// write made right after Start reaches it without delay.
func (lc *localCluster) waitStreaming(ctx context.Context) error {
	return lc.poll(ctx, lc.replica, "replica streaming from the primary",
		"SELECT EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming')")
}

// poll runs a boolean query on s every few milliseconds until it returns
// true or ctx ends.
func (lc *localCluster) poll(ctx context.Context, s *server, what, query string, args ...any) error {
	conn, err := pgx.Connect(ctx, lc.socketURL(s, "postgres"))
	if err != nil {
		return fmt.Errorf("pgtest: wait for %s: %w", what, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	for {
		var ok bool
		if err := conn.QueryRow(ctx, query, args...).Scan(&ok); err != nil {
			return fmt.Errorf("pgtest: wait for %s: %w", what, err)
		}
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("pgtest: wait for %s: %w", what, ctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// WaitReplay waits until the replica has replayed everything the primary
// had written when WaitReplay was called, so what was committed before is
// visible on the replica. It waits forever while replay is paused, so give
// ctx a deadline.
func (c *Cluster) WaitReplay(ctx context.Context) error {
	lc, err := c.needStandby("WaitReplay")
	if err != nil {
		return err
	}
	conn, err := c.adminConn(ctx)
	if err != nil {
		return err
	}
	var lsn string
	err = conn.QueryRow(ctx, "SELECT pg_current_wal_insert_lsn()::text").Scan(&lsn)
	conn.Close(context.WithoutCancel(ctx))
	if err != nil {
		return fmt.Errorf("pgtest: WaitReplay: read primary WAL position: %w", err)
	}
	return lc.poll(ctx, lc.replica, "replica to replay "+lsn,
		"SELECT coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, false)", lsn)
}

// PauseReplay pauses WAL replay on the replica (pg_wal_replay_pause), so
// the replica lags behind the primary until ResumeReplay. Replay stops
// at the next WAL record the replica receives.
func (c *Cluster) PauseReplay(ctx context.Context) error {
	return c.replicaExec(ctx, "PauseReplay", "SELECT pg_wal_replay_pause()")
}

// ResumeReplay resumes WAL replay on the replica.
func (c *Cluster) ResumeReplay(ctx context.Context) error {
	return c.replicaExec(ctx, "ResumeReplay", "SELECT pg_wal_replay_resume()")
}

func (c *Cluster) replicaExec(ctx context.Context, op, sql string) error {
	lc, err := c.needStandby(op)
	if err != nil {
		return err
	}
	conn, err := pgx.Connect(ctx, lc.socketURL(lc.replica, "postgres"))
	if err != nil {
		return fmt.Errorf("pgtest: %s: connect to replica: %w", op, err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, sql); err != nil {
		return fmt.Errorf("pgtest: %s: %w", op, err)
	}
	return nil
}

func (c *Cluster) needReplica(op string) (*localCluster, error) {
	if !c.HasReplica() {
		return nil, fmt.Errorf("pgtest: %s: the cluster has no replica (start it with Options.Replica on a local cluster): %w", op, ErrUnsupported)
	}
	return c.local, nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
