package pgtest

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// startExternal uses the server named by NORM_TEST_DATABASE_URL. The
// error never repeats the DSN, which may hold a password.
func startExternal(ctx context.Context, dsn string) (*Cluster, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("pgtest: NORM_TEST_DATABASE_URL is not a valid PostgreSQL URL or keyword/value DSN: %s", oneLine(err))
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("pgtest: cannot connect to NORM_TEST_DATABASE_URL (host %s, port %d, user %s): %s", cfg.Host, cfg.Port, cfg.User, oneLine(err))
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var canCreate bool
	if err := conn.QueryRow(ctx, "SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user").Scan(&canCreate); err != nil {
		return nil, fmt.Errorf("pgtest: NORM_TEST_DATABASE_URL: check privileges: %w", err)
	}
	if !canCreate {
		return nil, fmt.Errorf("pgtest: NORM_TEST_DATABASE_URL: role %q may not create databases; tests need CREATEDB (ALTER ROLE %s CREATEDB)", cfg.User, pgx.Identifier{cfg.User}.Sanitize())
	}
	return &Cluster{mode: ModeExternal, baseURL: dsn}, nil
}

// oneLine flattens pgx's multi-line connect errors (one line per address
// tried) into one line.
func oneLine(err error) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", "; ")), " ")
}
