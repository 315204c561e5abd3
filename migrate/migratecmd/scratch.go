package migratecmd

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// scratch is a database of its own on the dev server that `diff` replays
// the migration files into; drop removes it.
type scratch struct {
	pool *pgxpool.Pool
	name string
	drop func()
}

// devURL returns the dev server's URL: --dev-url, else a server started by
// Options.DevDatabase, else a throwaway server from the local PostgreSQL
// binaries. stop shuts down what was started.
func (r *runner) devURL(ctx context.Context) (url string, stop func(), err error) {
	if r.cl.devURL != "" {
		return r.cl.devURL, func() {}, nil
	}
	start := r.opts.DevDatabase
	if start == nil {
		start = startLocalServer
	}
	url, stop, err = start(ctx)
	if errors.Is(err, errNoLocalServer) {
		return "", nil, fmt.Errorf("migrate: %s needs a scratch PostgreSQL server to replay the migrations on: pass --dev-url postgres://… (a server where the role may CREATE DATABASE; a database of its own is created there and dropped afterwards), or install the PostgreSQL server binaries for a throwaway one: %w", r.cl.command, err)
	}
	if err != nil {
		return "", nil, fmt.Errorf("migrate: %s: start the dev database: %w", r.cl.command, err)
	}
	return url, stop, nil
}

// openScratch opens a scratch database on the dev server (devURL); done
// drops it and stops what devURL started.
func (r *runner) openScratch(ctx context.Context) (sc *scratch, done func(), err error) {
	url, stop, err := r.devURL(ctx)
	if err != nil {
		return nil, nil, err
	}
	sc, err = newScratch(ctx, r.cl.command, url)
	if err != nil {
		stop()
		return nil, nil, err
	}
	return sc, func() { sc.drop(); stop() }, nil
}

// newScratch creates an empty database with a random name on the server
// at url and opens a pool on it, for command (in its errors). The
// database is dropped by drop, also when ctx was canceled.
func newScratch(ctx context.Context, command, url string) (*scratch, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("migrate: %s: --dev-url: %w", command, err)
	}
	admin, err := pgx.ConnectConfig(ctx, cfg.ConnConfig.Copy())
	if err != nil {
		return nil, fmt.Errorf("migrate: %s: connect to the dev database: %w", command, err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "norm_diff_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" TEMPLATE template0"); err != nil {
		_ = admin.Close(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("migrate: %s: create scratch database %s on the dev server (the role needs CREATEDB): %w", command, name, err)
	}
	s := &scratch{name: name}
	s.drop = func() {
		if s.pool != nil {
			s.pool.Close()
		}
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		_, _ = admin.Exec(dctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
		_ = admin.Close(dctx)
	}
	cfg.ConnConfig.Database = name
	cfg.MaxConns = 2
	if s.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		s.drop()
		return nil, fmt.Errorf("migrate: %s: open scratch database %s: %w", command, name, err)
	}
	return s, nil
}
