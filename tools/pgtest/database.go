package pgtest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Database is one test's own database, cloned from the cluster's template.
type Database struct {
	// Name is the database name (unquoted).
	Name string

	c *Cluster
}

// NewDatabase creates a database for t, cloned from the cluster's template
// (built once, with Options.Template applied), and drops it when t ends.
// When the cluster has a replica, NewDatabase returns once the database
// exists there too. When t fails, the server log lines written while it
// ran are printed with t's output.
func (c *Cluster) NewDatabase(t testing.TB) *Database {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	tmpl, err := c.template(ctx)
	if err != nil {
		t.Fatal(err)
	}
	logStart := c.logSizes()
	name := c.databaseName(t.Name())
	if err := c.admin(ctx, "CREATE DATABASE "+ident(name)+" TEMPLATE "+ident(tmpl)); err != nil {
		t.Fatalf("pgtest: create database %s: %v", name, err)
	}
	d := &Database{Name: name, c: c}
	t.Cleanup(func() {
		if t.Failed() {
			c.printLogs(t, logStart)
		}
		d.drop(t)
	})
	if c.HasReplica() {
		if err := c.WaitReplay(ctx); err != nil {
			t.Fatalf("pgtest: database %s on the replica: %v", name, err)
		}
	}
	return d
}

// DSN is a URL for this database on the primary, as a superuser over TCP
// with password authentication.
func (d *Database) DSN() string { return d.c.dsnFor(d.Name) }

// ReplicaDSN is a URL for this database on the streaming replica. It skips
// t, saying why, when the cluster has no replica.
func (d *Database) ReplicaDSN(t testing.TB) string {
	t.Helper()
	if !d.c.HasReplica() {
		t.Skipf("pgtest: no streaming replica in this %s cluster (local clusters with Options.Replica have one; NORM_TEST_DATABASE_URL and Docker servers do not)", d.c.mode)
	}
	return d.c.local.replicaURL(d.Name)
}

// BouncerDSN is a URL for this database through PgBouncer in transaction
// pooling mode. It skips t, saying why, when the cluster has no PgBouncer.
// pgx's default statement cache fails through it (42P05): use
// QueryExecModeCacheDescribe, Exec or SimpleProtocol.
func (d *Database) BouncerDSN(t testing.TB) string {
	t.Helper()
	if !d.c.HasBouncer() {
		t.Skipf("pgtest: no PgBouncer in this %s cluster (local clusters with Options.PgBouncer and the pgbouncer binary have one)", d.c.mode)
	}
	return d.c.local.bouncerURL(d.Name)
}

// Conn connects to this database on the primary; the connection is closed
// when t ends.
func (d *Database) Conn(t testing.TB) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, d.DSN())
	if err != nil {
		t.Fatalf("pgtest: connect to %s: %v", d.Name, err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

// Pool opens a pgxpool on this database on the primary; it is closed when
// t ends.
func (d *Database) Pool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p, err := pgxpool.New(ctx, d.DSN())
	if err != nil {
		t.Fatalf("pgtest: pool for %s: %v", d.Name, err)
	}
	if err := p.Ping(ctx); err != nil {
		p.Close()
		t.Fatalf("pgtest: ping %s: %v", d.Name, err)
	}
	t.Cleanup(p.Close)
	return p
}

// drop removes the database, disconnecting whoever is still on it. A
// failure is only logged: a stopped server is cleaned up with the cluster.
func (d *Database) drop(t testing.TB) {
	ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
	defer cancel()
	if err := d.c.admin(ctx, "DROP DATABASE IF EXISTS "+ident(d.Name)+" WITH (FORCE)"); err != nil {
		t.Logf("pgtest: drop database %s: %v", d.Name, err)
	}
}

// template creates the template database once per cluster.
func (c *Cluster) template(ctx context.Context) (string, error) {
	c.tmplMu.Lock()
	defer c.tmplMu.Unlock()
	if c.tmplName != "" || c.tmplErr != nil {
		return c.tmplName, c.tmplErr
	}
	name := c.prefix + "_template"
	c.tmplErr = c.buildTemplate(ctx, name)
	if c.tmplErr == nil {
		c.tmplName = name
	}
	return c.tmplName, c.tmplErr
}

func (c *Cluster) buildTemplate(ctx context.Context, name string) error {
	if err := c.admin(ctx, "CREATE DATABASE "+ident(name)); err != nil {
		return fmt.Errorf("pgtest: create template database: %w", err)
	}
	if c.opts.Template != nil {
		conn, err := pgx.Connect(ctx, c.dsnFor(name))
		if err != nil {
			return fmt.Errorf("pgtest: connect to template database: %w", err)
		}
		err = c.opts.Template(ctx, conn)
		conn.Close(context.WithoutCancel(ctx))
		if err != nil {
			return fmt.Errorf("pgtest: Options.Template: %w", err)
		}
	}
	// No connections from now on: CREATE DATABASE … TEMPLATE fails while
	// anyone is connected to the template.
	return c.admin(ctx, "ALTER DATABASE "+ident(name)+" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false")
}

// dropTemplate removes the template from a server the cluster does not
// own (external mode); local clusters are deleted whole.
func (c *Cluster) dropTemplate(ctx context.Context) error {
	if c.tmplName == "" {
		return nil
	}
	if err := c.admin(ctx, "ALTER DATABASE "+ident(c.tmplName)+" WITH IS_TEMPLATE false"); err != nil {
		return err
	}
	return c.admin(ctx, "DROP DATABASE IF EXISTS "+ident(c.tmplName))
}

func (c *Cluster) admin(ctx context.Context, sql string) error {
	conn, err := c.adminConn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	_, err = conn.Exec(ctx, sql)
	return err
}

// databaseName makes a unique, readable database name from a test name,
// within PostgreSQL's 63-byte limit.
func (c *Cluster) databaseName(testName string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(testName) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else if b.Len() > 0 && !strings.HasSuffix(b.String(), "_") {
			b.WriteByte('_')
		}
	}
	slug := b.String()
	suffix := fmt.Sprintf("_%d", c.seq.Add(1))
	room := 63 - len(c.prefix) - 1 - len(suffix)
	if len(slug) > room {
		slug = slug[:room]
	}
	return c.prefix + "_" + slug + suffix
}

func ident(name string) string { return pgx.Identifier{name}.Sanitize() }

// logSizes records where each server log ends now.
func (c *Cluster) logSizes() map[string]int64 {
	sizes := map[string]int64{}
	for _, f := range c.logFiles() {
		sizes[f] = fileSize(f)
	}
	return sizes
}

func (c *Cluster) logFiles() []string {
	if c.local == nil {
		return nil
	}
	files := []string{c.local.primary.logFile}
	if c.local.replica != nil {
		files = append(files, c.local.replica.logFile)
	}
	if c.local.bouncer != nil {
		files = append(files, c.local.bouncer.logFile)
	}
	return files
}

func (c *Cluster) printLogs(t testing.TB, from map[string]int64) {
	for _, f := range c.logFiles() {
		if tail := readFrom(f, from[f]); tail != "" {
			t.Logf("pgtest: %s while the test ran:\n%s", f, tail)
		}
	}
}
