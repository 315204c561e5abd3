package pgtest

import (
	"context"
	"fmt"
	"path/filepath"
)

// StopPrimary stops the primary (fast shutdown: sessions are terminated,
// committed work is kept). Local clusters only.
func (c *Cluster) StopPrimary(ctx context.Context) error {
	lc, err := c.needLocal("StopPrimary")
	if err != nil {
		return err
	}
	return lc.stopServer(ctx, lc.primary, "fast")
}

// StartPrimary starts a stopped primary again on the same port.
func (c *Cluster) StartPrimary(ctx context.Context) error {
	lc, err := c.needLocal("StartPrimary")
	if err != nil {
		return err
	}
	if lc.primary.running {
		return nil
	}
	return lc.startServer(ctx, lc.primary, false)
}

// RestartPrimary stops and starts the primary. Every open connection to it
// breaks; new connections succeed once RestartPrimary returns.
func (c *Cluster) RestartPrimary(ctx context.Context) error {
	if err := c.StopPrimary(ctx); err != nil {
		return err
	}
	return c.StartPrimary(ctx)
}

// StopReplica stops the replica (fast shutdown).
func (c *Cluster) StopReplica(ctx context.Context) error {
	lc, err := c.needReplica("StopReplica")
	if err != nil {
		return err
	}
	return lc.stopServer(ctx, lc.replica, "fast")
}

// StartReplica starts a stopped replica again on the same port and waits
// until it streams from the primary (after PromoteReplica, until it
// accepts connections).
func (c *Cluster) StartReplica(ctx context.Context) error {
	lc, err := c.needReplica("StartReplica")
	if err != nil {
		return err
	}
	if lc.replica.running {
		return nil
	}
	if err := lc.startServer(ctx, lc.replica, false); err != nil {
		return err
	}
	if lc.promoted {
		return nil // a promoted replica streams from nobody
	}
	return lc.waitStreaming(ctx)
}

// TerminateBackends terminates every client backend connected to database
// db on the primary (pg_terminate_backend), except the one it uses itself,
// and returns how many it terminated. An empty db means every database.
func (c *Cluster) TerminateBackends(ctx context.Context, db string) (int, error) {
	conn, err := c.adminConn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var n int
	err = conn.QueryRow(ctx, `
		SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))
		FROM pg_stat_activity
		WHERE backend_type = 'client backend'
		  AND pid <> pg_backend_pid()
		  AND ($1 = '' OR datname = $1)`, db).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("pgtest: terminate backends of %q: %w", db, err)
	}
	return n, nil
}

func (c *Cluster) needLocal(op string) (*localCluster, error) {
	if c.local == nil {
		return nil, fmt.Errorf("pgtest: %s needs a local cluster, this one is %s: %w", op, c.mode, ErrUnsupported)
	}
	return c.local, nil
}

// Detach forgets a persistent cluster without stopping it: Close becomes a
// no-op, so the servers keep running after the process exits (make
// db-up). It has no effect on temporary clusters, which are always
// cleaned up.
func (c *Cluster) Detach() {
	if c.local != nil && !c.local.temp {
		c.closeOnce.Do(func() {})
	}
}

// StopDir stops the servers of a persistent cluster directory made with
// Options.Dir, without starting anything (make db-down). A directory
// with no running server is not an error.
func StopDir(ctx context.Context, dir string) error {
	bin, err := defaultDiscovery.findBinDir(ctx)
	if err != nil {
		return ErrNoServer
	}
	user, err := serverUser()
	if err != nil {
		return err
	}
	lc := &localCluster{bin: bin, user: user, root: dir}
	for _, name := range []string{"replica", "primary"} {
		s := &server{name: name, dataDir: filepath.Join(dir, name)}
		if err := lc.stopServer(ctx, s, "fast"); err != nil {
			return err
		}
	}
	return nil
}
