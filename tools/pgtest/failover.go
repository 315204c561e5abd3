package pgtest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// replicaAppName is the application_name the replica's WAL receiver
// connects with (pg_basebackup -R writes none of its own), named by
// synchronous_standby_names under Options.SynchronousReplica.
const replicaAppName = "pgtest_replica"

// PromoteReplica promotes the replica to a primary (pg_ctl promote) and
// waits until it accepts writes (pg_is_in_recovery() is false). It does not
// stop the old primary: both accept writes afterwards, a split brain on
// purpose, for tests of what a client does then; Failover stops it first.
//
// After a promotion the cluster has no standby until
// RejoinOldPrimaryAsStandby: the promoted server keeps the replica's port,
// so ReplicaDSN, Database.ReplicaDSN and TargetReplica proxies name the
// new primary, while DSN, Database.DSN, Conn, Pool, NewDatabase and
// PgBouncer still use the old primary's port. WaitReplay, PauseReplay,
// ResumeReplay, CutReplicaStream and StartReplica's wait for streaming
// return an error (or skip the wait) until the rejoin. Replication after a
// promotion is asynchronous, also with Options.SynchronousReplica.
func (c *Cluster) PromoteReplica(ctx context.Context) error {
	lc, err := c.needReplica("PromoteReplica")
	if err != nil {
		return err
	}
	if lc.promoted {
		return fmt.Errorf("pgtest: PromoteReplica: the replica was already promoted")
	}
	if err := lc.thaw(lc.replica); err != nil {
		return err
	}
	lc.logf("promoting the replica on 127.0.0.1:%d", lc.replica.port)
	out, err := lc.run(ctx, filepath.Join(lc.bin, "pg_ctl"), "promote", "-w", "-D", lc.replica.dataDir)
	if err != nil {
		return fmt.Errorf("pgtest: promote the replica: %w\n%s", err, out)
	}
	lc.promoted = true
	lc.streamCut = ""
	return lc.poll(ctx, lc.replica, "the promoted replica to accept writes", "SELECT NOT pg_is_in_recovery()")
}

// Failover stops the primary (fast shutdown) and promotes the replica, as
// PromoteReplica describes: afterwards the only writable server listens on
// the replica's old port, and the old primary's port refuses connections.
func (c *Cluster) Failover(ctx context.Context) error {
	if _, err := c.needReplica("Failover"); err != nil {
		return err
	}
	if err := c.StopPrimary(ctx); err != nil {
		return err
	}
	return c.PromoteReplica(ctx)
}

// RejoinOldPrimaryAsStandby makes the old primary, after Failover or
// PromoteReplica, a streaming standby of the promoted server on its old
// port: it stops it if it still runs, replaces its data directory with a
// fresh base backup of the new primary, starts it and waits until it
// streams. Whatever only the old primary had (writes of a split brain) is
// gone.
//
// Afterwards the cluster's roles follow the servers: DSN, NewDatabase,
// Conn, Pool and TargetPrimary name the new primary (the replica's old
// port), ReplicaDSN and TargetReplica the rejoined standby (the old
// primary's port), and WaitReplay and the other replica hooks work again.
// DSNs taken before keep their ports. PgBouncer still forwards to the old
// primary's port, now a read-only standby.
func (c *Cluster) RejoinOldPrimaryAsStandby(ctx context.Context) error {
	lc, err := c.needReplica("RejoinOldPrimaryAsStandby")
	if err != nil {
		return err
	}
	if !lc.promoted {
		return fmt.Errorf("pgtest: RejoinOldPrimaryAsStandby: the replica was not promoted (Failover or PromoteReplica first)")
	}
	old, promoted := lc.primary, lc.replica
	if err := lc.stopServer(ctx, old, "fast"); err != nil {
		return err
	}
	lc.logf("rejoining %s as a standby of 127.0.0.1:%d", old.dataDir, promoted.port)
	if err := os.RemoveAll(old.dataDir); err != nil {
		return fmt.Errorf("pgtest: remove the old primary's data: %w", err)
	}
	if err := lc.baseBackup(ctx, promoted, old.dataDir); err != nil {
		return err
	}
	if err := lc.startServer(ctx, old, false); err != nil {
		return err
	}
	lc.primary, lc.replica = promoted, old
	lc.promoted = false
	if err := lc.waitStreaming(ctx); err != nil {
		return err
	}
	if lc.syncReplica {
		return lc.makeSynchronous(ctx)
	}
	return nil
}

// makeSynchronous makes the primary's commits wait for the replica
// (Options.SynchronousReplica) and waits until the replica is its
// synchronous standby.
func (lc *localCluster) makeSynchronous(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, lc.socketURL(lc.primary, "postgres"))
	if err != nil {
		return fmt.Errorf("pgtest: synchronous replica: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	for _, sql := range []string{
		"ALTER SYSTEM SET synchronous_standby_names = " + confQuote(`"`+replicaAppName+`"`),
		"ALTER SYSTEM SET synchronous_commit = on",
		"SELECT pg_reload_conf()",
	} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			return fmt.Errorf("pgtest: synchronous replica: %s: %w", sql, err)
		}
	}
	return lc.poll(ctx, lc.primary, "the replica to become synchronous",
		"SELECT EXISTS (SELECT 1 FROM pg_stat_replication WHERE application_name = $1 AND sync_state = 'sync')", replicaAppName)
}

// CutReplicaStream cuts the replica's WAL stream: its primary_conninfo is
// pointed at a socket that does not exist (ALTER SYSTEM and
// pg_reload_conf(), the original value remembered) and CutReplicaStream
// returns once the WAL receiver stopped streaming. The replica keeps
// answering queries with what it has; writes on the primary no longer
// reach it (and, with Options.SynchronousReplica, commits on the primary
// wait). RestoreReplicaStream undoes it.
func (c *Cluster) CutReplicaStream(ctx context.Context) error {
	lc, err := c.needStandby("CutReplicaStream")
	if err != nil {
		return err
	}
	conn, err := pgx.Connect(ctx, lc.socketURL(lc.replica, "postgres"))
	if err != nil {
		return fmt.Errorf("pgtest: CutReplicaStream: connect to replica: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if lc.streamCut == "" {
		var orig string
		if err := conn.QueryRow(ctx, "SHOW primary_conninfo").Scan(&orig); err != nil {
			return fmt.Errorf("pgtest: CutReplicaStream: %w", err)
		}
		lc.streamCut = orig
	}
	dead := "host=" + quoteKeywordValue(filepath.Join(lc.root, "no-such-socket-dir")) + " port=1 user=" + superuser
	for _, sql := range []string{"ALTER SYSTEM SET primary_conninfo = " + confQuote(dead), "SELECT pg_reload_conf()"} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			return fmt.Errorf("pgtest: CutReplicaStream: %w", err)
		}
	}
	return lc.poll(ctx, lc.replica, "the replica's WAL stream to stop",
		"SELECT NOT EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming')")
}

// RestoreReplicaStream gives the replica back the primary_conninfo that
// CutReplicaStream replaced and waits until it streams again; the replica
// then catches up on its own (WaitReplay waits for it). Without a cut it
// only waits for streaming.
func (c *Cluster) RestoreReplicaStream(ctx context.Context) error {
	lc, err := c.needStandby("RestoreReplicaStream")
	if err != nil {
		return err
	}
	if lc.streamCut != "" {
		conn, err := pgx.Connect(ctx, lc.socketURL(lc.replica, "postgres"))
		if err != nil {
			return fmt.Errorf("pgtest: RestoreReplicaStream: connect to replica: %w", err)
		}
		defer conn.Close(context.WithoutCancel(ctx))
		for _, sql := range []string{"ALTER SYSTEM SET primary_conninfo = " + confQuote(lc.streamCut), "SELECT pg_reload_conf()"} {
			if _, err := conn.Exec(ctx, sql); err != nil {
				return fmt.Errorf("pgtest: RestoreReplicaStream: %w", err)
			}
		}
		lc.streamCut = ""
	}
	return lc.waitStreaming(ctx)
}

// MultiHostDSN is a keyword/value DSN naming both servers, the primary's
// port first and the replica's second, with target_session_attrs=read-write
// and d's database, user and password: a client connects to whichever is
// writable, before and after Failover. It skips t when the cluster has no
// replica.
func (d *Database) MultiHostDSN(t testing.TB) string {
	t.Helper()
	if !d.c.HasReplica() {
		t.Skipf("pgtest: no streaming replica in this %s cluster, so no second host for a multi-host DSN", d.c.mode)
	}
	lc := d.c.local
	return strings.Join([]string{
		"host=127.0.0.1,127.0.0.1",
		"port=" + strconv.Itoa(lc.primary.port) + "," + strconv.Itoa(lc.replica.port),
		"dbname=" + quoteKeywordValue(d.Name),
		"user=" + superuser,
		"password=" + quoteKeywordValue(lc.password),
		"sslmode=disable",
		"target_session_attrs=read-write",
	}, " ")
}

// needStandby is needReplica for hooks that need the replica to be a
// standby still (not promoted).
func (c *Cluster) needStandby(op string) (*localCluster, error) {
	lc, err := c.needReplica(op)
	if err != nil {
		return nil, err
	}
	if lc.promoted {
		return nil, fmt.Errorf("pgtest: %s: the replica was promoted, so there is no standby until RejoinOldPrimaryAsStandby", op)
	}
	return lc, nil
}
